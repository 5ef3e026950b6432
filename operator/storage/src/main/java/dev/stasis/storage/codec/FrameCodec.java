package dev.stasis.storage.codec;

import dev.stasis.api.v1alpha1.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A compression format cut into independent frames. Each frame compresses one slice of the archive
 * on its own, so frames are compressed and decompressed in parallel, and the concatenation is a
 * valid file for the standard tool ({@code zstd -d}, {@code lz4 -d}, {@code gzip -d}).
 *
 * <p>Implementations are thread-safe.
 */
public abstract class FrameCodec {
  /** Decompressed frames larger than this are decoded sequentially instead. */
  public static final int MAX_SPLIT_FRAME = 64 * 1024 * 1024;

  public static FrameCodec of(Compression compression, int level) {
    return switch (compression) {
      case ZSTD -> new ZstdCodec(level == 0 ? 1 : level);
      case LZ4 -> new Lz4Codec();
      case GZIP -> new GzipCodec(level == 0 ? 1 : level);
      case NONE -> new NoneCodec();
    };
  }

  public abstract Compression compression();

  /** An upper bound of the frame {@link #compress} makes of {@code rawLength} bytes. */
  public abstract int maxFrameSize(int rawLength);

  /** Compresses {@code src[0, length)} into one frame at the start of {@code dst}. */
  public abstract int compress(byte[] src, int length, byte[] dst);

  /** The trailer frame, or null if the format has none (none). */
  public abstract byte[] trailer(Trailer trailer);

  /**
   * Reads the next frame from {@code in} into its buffer. Returns null at the end of the stream.
   *
   * @throws NotSplittableException if this frame cannot be handed out whole
   */
  public abstract Frame scan(FrameInput in) throws IOException;

  /**
   * Decompresses one frame found by {@link #scan}, of {@code contentSize} decompressed bytes, into
   * {@code dst}; checks the frame's own checksums.
   */
  public abstract void decompress(byte[] src, int length, byte[] dst, int contentSize)
      throws IOException;

  /** Whether {@link #decompress(byte[], int, ByteBuffer, int)} is supported. */
  public boolean decompressesToDirect() {
    return false;
  }

  /**
   * Like {@link #decompress(byte[], int, byte[], int)}, into a direct buffer (from its start; its
   * position and limit are left alone). Only where {@link #decompressesToDirect()}.
   */
  public void decompress(byte[] src, int length, ByteBuffer dst, int contentSize)
      throws IOException {
    throw new UnsupportedOperationException(compression() + " decompresses into arrays only");
  }

  /** A sequential decoder for a whole stream of frames (the fallback). */
  public abstract InputStream decoder(InputStream in) throws IOException;

  /** Runs {@link #scan} with frame bookkeeping. */
  public final Frame next(FrameInput in) throws IOException {
    in.begin();
    return scan(in);
  }
}
