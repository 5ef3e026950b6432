package dev.stasis.storage;

import dev.stasis.storage.codec.FrameCodec;
import dev.stasis.storage.codec.Trailer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams an archive of unknown length into one object: cut into frames, frames compressed in
 * parallel, the compressed stream cut into equal parts, parts uploaded in parallel.
 *
 * <pre>
 * caller thread : read frame -> SHA-256(archive) -> submit compression      (threads + 2 frames)
 * compress pool : compress frame                                            (threads)
 * collector     : in order: copy into part -> SHA-256(stored) of the part -> submit part
 *                                                                       (concurrency + 1 parts)
 * upload pool   : upload part, with retries                                 (concurrency)
 * </pre>
 *
 * <p>Memory is bounded by the pools, whatever the archive's size. A failure anywhere aborts the
 * multipart upload: nothing is left under the key, and no parts are left behind.
 */
public final class ArchiveUploader {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveUploader.class);
  private static final Object END = new Object();

  private final ObjectStore store;
  private final String key;
  private final TransferOptions options;
  private final ProgressListener progress;
  private final FrameCodec codec;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private record Compressed(byte[] buf, int length, int rawLength) {}

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

  private boolean failed() {
    return failure.get() != null;
  }

  private void fail(Throwable t) {
    failure.compareAndSet(null, t);
  }

  private UploadResult run(InputStream in, long sizeHint) throws IOException {
    int frameSize = options.frameSize();
    int slots = options.threads() + 2;
    BufferPool raw = new BufferPool(frameSize, slots);
    BufferPool out = new BufferPool(codec.maxFrameSize(frameSize), slots);
    Semaphore frameSlots = new Semaphore(slots);
    int partSize = partSize(store, options, sizeHint);
    BlockingQueue<Object> frames = new LinkedBlockingQueue<>();
    ExecutorService cpu = Threads.pool("stasis-compress", options.threads());
    ExecutorService io =
        Threads.pool("stasis-upload", store.parallelParts() ? options.concurrency() : 1);
    Collector collector = new Collector(frames, out, frameSlots, partSize, io, sizeHint);
    Thread collectorThread = Threads.start("stasis-collect", collector);
    MessageDigest archiveDigest = Hashes.sha256();
    long total = 0;
    try {
      while (!failed()) {
        acquire(frameSlots);
        byte[] r = raw.acquire(this::failed);
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
                    byte[] o = out.acquire(this::failed);
                    return new Compressed(o, codec.compress(r, n, o), n);
                  } finally {
                    raw.release(r);
                  }
                }));
        if (n < frameSize) {
          break;
        }
      }
      collector.archiveBytes = total;
      collector.archiveSha256 = archiveDigest.digest();
      frames.put(END);
    } catch (IOException | RuntimeException e) {
      fail(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(new InterruptedIOException("interrupted"));
    }
    try {
      collectorThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(new InterruptedIOException("interrupted"));
      collectorThread.interrupt();
    } finally {
      cpu.shutdownNow();
      io.shutdownNow();
    }
    Throwable t = failure.get();
    if (t != null) {
      throw asIoException(t);
    }
    return collector.result;
  }

  private void acquire(Semaphore s) throws InterruptedIOException {
    try {
      while (!s.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (failed()) {
          throw new InterruptedIOException("transfer cancelled");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }

  static IOException asIoException(Throwable t) {
    if (t instanceof ExecutionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof IOException e) {
      return e;
    }
    if (t instanceof java.io.UncheckedIOException e) {
      return e.getCause();
    }
    return new StorageException(String.valueOf(t.getMessage()), false, t);
  }

  /** Takes compressed frames in order, hashes them, fills parts and sends them off. */
  private final class Collector implements Runnable {
    private final BlockingQueue<Object> frames;
    private final BufferPool out;
    private final Semaphore frameSlots;
    private final int partSize;
    private final ExecutorService io;
    private final long sizeHint;
    private final BufferPool parts;
    private final MessageDigest storedDigest = Hashes.sha256();
    private final List<Future<?>> uploads = new ArrayList<>();
    private volatile long archiveBytes;
    private volatile byte[] archiveSha256;
    private UploadResult result;
    private ObjectUpload upload;
    private byte[] part;
    private int partLength;
    private int partCount;
    private long stored;
    private long done;

    Collector(
        BlockingQueue<Object> frames,
        BufferPool out,
        Semaphore frameSlots,
        int partSize,
        ExecutorService io,
        long sizeHint) {
      this.frames = frames;
      this.out = out;
      this.frameSlots = frameSlots;
      this.partSize = partSize;
      this.io = io;
      this.sizeHint = sizeHint;
      this.parts = new BufferPool(partSize, options.concurrency() + 1);
    }

    @Override
    public void run() {
      try {
        collect();
      } catch (Throwable t) {
        fail(t);
      }
      if (failed() && upload != null) {
        upload.abort();
      }
    }

    private void collect() throws Exception {
      while (true) {
        Object item = frames.poll(100, TimeUnit.MILLISECONDS);
        if (failed()) {
          return;
        }
        if (item == null) {
          continue;
        }
        if (item == END) {
          break;
        }
        @SuppressWarnings("unchecked")
        Compressed c = ((Future<Compressed>) item).get();
        append(c.buf(), c.length());
        out.release(c.buf());
        frameSlots.release();
        done += c.rawLength();
        progress.progress(done, sizeHint);
      }
      byte[] trailer = codec.trailer(new Trailer(archiveBytes, archiveSha256));
      if (trailer != null) {
        append(trailer, trailer.length);
      }
      if (partCount == 0) {
        byte[] data = part == null ? new byte[0] : part;
        storedDigest.update(data, 0, partLength);
        store.put(key, data, partLength, contentType());
        partCount = 1;
      } else {
        if (partLength > 0) {
          sendPart();
        }
        for (Future<?> f : uploads) {
          while (true) {
            if (failed()) {
              return;
            }
            try {
              f.get(100, TimeUnit.MILLISECONDS);
              break;
            } catch (java.util.concurrent.TimeoutException e) {
              // check for failures of the other parts
            }
          }
        }
        if (failed()) {
          return;
        }
        upload.complete(partCount);
      }
      progress.progress(done, done);
      result =
          new UploadResult(
              store.uri(key),
              codec.compression(),
              archiveBytes,
              stored,
              Hashes.hex(archiveSha256),
              Hashes.hex(storedDigest.digest()),
              partCount);
    }

    private String contentType() {
      return switch (codec.compression()) {
        case ZSTD -> "application/zstd";
        case LZ4 -> "application/x-lz4";
        case GZIP -> "application/gzip";
        case NONE -> "application/x-tar";
      };
    }

    private void append(byte[] buf, int length) throws IOException {
      stored += length;
      int off = 0;
      while (off < length) {
        if (part == null) {
          part = parts.acquire(ArchiveUploader.this::failed);
          partLength = 0;
        }
        int n = Math.min(length - off, partSize - partLength);
        System.arraycopy(buf, off, part, partLength, n);
        partLength += n;
        off += n;
        if (partLength == partSize) {
          sendPart();
        }
      }
    }

    private void sendPart() throws IOException {
      partCount++;
      if (partCount > store.maxParts()) {
        throw new StorageException(
            "archive needs more than "
                + store.maxParts()
                + " parts of "
                + partSize
                + " bytes: raise --part-size",
            false,
            null);
      }
      if (upload == null) {
        upload = store.startUpload(key, contentType(), partSize);
        LOG.debug("started multipart upload of {}", store.uri(key));
      }
      byte[] data = part;
      int length = partLength;
      int number = partCount;
      // Parts are hashed whole, in order: one digest call per part (a native digest copies the
      // array it is handed on every call).
      storedDigest.update(data, 0, length);
      ObjectUpload u = upload;
      part = null;
      partLength = 0;
      uploads.add(
          io.submit(
              () -> {
                try {
                  if (!failed()) {
                    u.uploadPart(number, data, length);
                  }
                } catch (Throwable t) {
                  fail(t);
                } finally {
                  parts.release(data);
                }
              }));
    }
  }
}
