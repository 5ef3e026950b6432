package dev.stasis.storage;

import dev.stasis.storage.codec.FrameCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * Streams an archive of unknown length into one object: cut into frames, frames compressed in
 * parallel, the compressed stream cut into equal parts, parts uploaded in parallel.
 *
 * <pre>
 * caller thread : read frame -> SHA-256(archive) -> submit compression      (threads + 2 frames)
 * compress pool : compress frame                                            (threads)
 * collector     : in order: copy into part -> SHA-256(stored) of the part -> submit part
 *                 (PartUploader)                                        (concurrency + 1 parts)
 * upload pool   : upload part, with retries                                 (concurrency)
 * </pre>
 *
 * <p>Memory is bounded by the pools, whatever the archive's size. A failure anywhere aborts the
 * multipart upload: nothing is left under the key, and no parts are left behind.
 */
public final class ArchiveUploader {
  private final ObjectStore store;
  private final String key;
  private final TransferOptions options;
  private final ProgressListener progress;
  private final FrameCodec codec;
  private final Pipeline pipeline = new Pipeline();

  private ArchiveUploader(
      ObjectStore store, String key, TransferOptions options, ProgressListener progress) {
    this.store = store;
    this.key = key;
    this.options = options;
    this.progress = progress == null ? ProgressListener.NONE : progress;
    this.codec = FrameCodec.of(options.compression(), options.level());
  }

  /**
   * Uploads {@code in} (read to its end, not closed) to {@code key}.
   *
   * @param sizeHint the archive's length if known, else -1 (only used for progress and to pick a
   *     part size that stays within the store's part-count limit)
   */
  public static UploadResult upload(
      ObjectStore store,
      String key,
      InputStream in,
      long sizeHint,
      TransferOptions options,
      ProgressListener progress)
      throws IOException {
    return new ArchiveUploader(store, key, options, progress).run(in, sizeHint);
  }

  static int partSize(ObjectStore store, TransferOptions o, long sizeHint) {
    long p = Math.max(o.partSize(), store.minPartSize());
    if (sizeHint > 0 && store.maxParts() < Integer.MAX_VALUE) {
      // Compressed output can exceed the input by a little (random data): leave 1% room.
      long needed = (sizeHint + sizeHint / 100 + 1024 * 1024) / (store.maxParts() - 1) + 1;
      if (needed > p) {
        p = (needed + TransferOptions.MIB - 1) / TransferOptions.MIB * TransferOptions.MIB;
      }
    }
    if (p > Integer.MAX_VALUE - 1024) {
      throw new IllegalArgumentException("archive too large for this store's part-count limit");
    }
    return (int) p;
  }

  private UploadResult run(InputStream in, long sizeHint) throws IOException {
    int frameSize = options.frameSize();
    int slots = options.threads() + 2;
    BufferPool raw = new BufferPool(frameSize, slots);
    BufferPool out = new BufferPool(codec.maxFrameSize(frameSize), slots);
    Semaphore frameSlots = new Semaphore(slots);
    BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
    ExecutorService cpu = Threads.pool("stasis-compress", options.threads());
    ExecutorService io =
        Threads.pool("stasis-upload", store.parallelParts() ? options.concurrency() : 1);
    PartUploader collector =
        new PartUploader(
            store,
            key,
            codec,
            pipeline,
            progress,
            frames,
            out,
            frameSlots,
            partSize(store, options, sizeHint),
            io,
            options.concurrency(),
            sizeHint);
    Thread collectorThread = Threads.start("stasis-collect", collector);
    MessageDigest archiveDigest = Hashes.sha256();
    long total = 0;
    try {
      while (!pipeline.failed()) {
        pipeline.acquire(frameSlots);
        byte[] r = raw.acquire(pipeline::failed);
        int n = in.readNBytes(r, 0, frameSize);
        if (n == 0) {
          raw.release(r);
          frameSlots.release();
          break;
        }
        archiveDigest.update(r, 0, n);
        total += n;
        frames.put(
            cpu.submit(
                () -> {
                  try {
                    byte[] o = out.acquire(pipeline::failed);
                    return new PartUploader.Compressed(o, codec.compress(r, n, o), n);
                  } finally {
                    raw.release(r);
                  }
                }));
        if (n < frameSize) {
          break;
        }
      }
      collector.archive(total, archiveDigest.digest());
      frames.put(Pipeline.END);
    } catch (IOException | RuntimeException e) {
      pipeline.fail(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pipeline.fail(new InterruptedIOException("interrupted"));
    }
    try {
      collectorThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pipeline.fail(new InterruptedIOException("interrupted"));
      collectorThread.interrupt();
    } finally {
      cpu.shutdownNow();
      io.shutdownNow();
    }
    if (pipeline.failed()) {
      throw Pipeline.asIoException(pipeline.failure());
    }
    return collector.result();
  }
}
