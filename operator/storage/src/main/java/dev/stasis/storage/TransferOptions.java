package dev.stasis.storage;

import dev.stasis.api.v1alpha1.Compression;

/**
 * How archives are moved: compression, frame and part sizes, parallelism.
 *
 * <p>Memory in use by one transfer is bounded by about {@code concurrency * partSize + (threads +
 * 2) * 2 * frameSize}, whatever the archive's size.
 *
 * @param compression the codec for new objects
 * @param level codec level (zstd 1..19, gzip 1..9; ignored by lz4 and none); 0 means the codec's
 *     default for Stasis (zstd 1, gzip 1)
 * @param frameSize uncompressed bytes per independently compressed frame
 * @param partSize bytes per upload part and per ranged read
 * @param concurrency parts (or ranges) in flight at once
 * @param threads compression / decompression threads
 */
public record TransferOptions(
    Compression compression, int level, int frameSize, int partSize, int concurrency, int threads) {

  public static final int MIB = 1024 * 1024;

  public TransferOptions {
    if (compression == null) {
      compression = Compression.ZSTD;
    }
    if (frameSize < 64 * 1024 || frameSize > 64 * MIB) {
      throw new IllegalArgumentException("frame size must be between 64 KiB and 64 MiB");
    }
    if (partSize < 64 * 1024 || partSize > 512 * MIB) {
      throw new IllegalArgumentException("part size must be between 64 KiB and 512 MiB");
    }
    if (concurrency < 1 || concurrency > 64) {
      throw new IllegalArgumentException("concurrency must be between 1 and 64");
    }
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("threads must be between 1 and 64");
    }
  }

  /** zstd, 4 MiB frames, 8 MiB parts, 4 parts in flight, one thread per core. */
  public static TransferOptions defaults() {
    return new TransferOptions(
        Compression.ZSTD,
        0,
        4 * MIB,
        8 * MIB,
        4,
        Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  public TransferOptions withCompression(Compression c) {
    return new TransferOptions(c, level, frameSize, partSize, concurrency, threads);
  }

  public TransferOptions withLevel(int l) {
    return new TransferOptions(compression, l, frameSize, partSize, concurrency, threads);
  }

  public TransferOptions withFrameSize(int f) {
    return new TransferOptions(compression, level, f, partSize, concurrency, threads);
  }

  public TransferOptions withPartSize(int p) {
    return new TransferOptions(compression, level, frameSize, p, concurrency, threads);
  }

  public TransferOptions withConcurrency(int c) {
    return new TransferOptions(compression, level, frameSize, partSize, c, threads);
  }

  public TransferOptions withThreads(int t) {
    return new TransferOptions(compression, level, frameSize, partSize, concurrency, t);
  }
}
