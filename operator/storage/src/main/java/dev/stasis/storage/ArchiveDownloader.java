package dev.stasis.storage;

import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.storage.codec.Frame;
import dev.stasis.storage.codec.FrameCodec;
import dev.stasis.storage.codec.FrameInput;
import dev.stasis.storage.codec.NotSplittableException;
import dev.stasis.storage.codec.Trailer;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads one stored archive back: parallel ranged reads, frames cut out of the stream and
 * decompressed in parallel, written in order to the caller's stream, then verified.
 *
 * <pre>
 * io pool     : ranged reads, concurrency in flight, each partSize bytes
 * splitter    : in order: SHA-256(stored) -> find frame boundaries -> submit decompression
 * cpu pool    : decompress one frame (checks its own checksum)
 * caller      : in order: write to the output                 } both read the same buffer, which
 * hasher      : in order: SHA-256(archive)                     } goes back to the pool after both
 * </pre>
 *
 * <p>Hashing and writing run on two threads because each is a sequential pass over the whole
 * archive: on one thread their times add up, on two they overlap.
 *
 * <p>The bytes written to {@code out} are not yet known good: only when this method returns
 * normally were the sizes and SHA-256 checked (against the manifest, else the trailer frame).
 * {@link CheckpointRepository#readArchive} and {@code cp} therefore write to a temporary file and
 * move it into place only after that.
 */
public final class ArchiveDownloader {
  private static final Object END = new Object();

  /**
   * A decompressed frame, read by the writer and the hasher; back to its pool after both. Held in a
   * byte array, or (zstd into a file) in a direct buffer that the hasher and the file channel read
   * without copying it.
   */
  private static final class Chunk {
    final byte[] buf;
    final ByteBuffer direct;
    final int length;
    final boolean pooled;
    private final java.util.concurrent.atomic.AtomicInteger readers =
        new java.util.concurrent.atomic.AtomicInteger(2);
    private BufferPool pool;
    private DirectPool directPool;
    private Semaphore slots;

    Chunk(byte[] buf, int length, boolean pooled) {
      this.buf = buf;
      this.direct = null;
      this.length = length;
      this.pooled = pooled;
    }

    Chunk(ByteBuffer direct, int length) {
      this.buf = null;
      this.direct = direct;
      this.length = length;
      this.pooled = true;
    }

    /** A view of the data with its own position and limit (each reader takes one). */
    ByteBuffer view() {
      return direct != null
          ? direct.duplicate().position(0).limit(length)
          : ByteBuffer.wrap(buf, 0, length);
    }

    void returnTo(BufferPool pool, DirectPool directPool, Semaphore slots) {
      this.pool = pool;
      this.directPool = directPool;
      this.slots = slots;
    }

    /** One reader is done with it; the last one gives the buffer and the frame slot back. */
    void done() {
      if (readers.decrementAndGet() == 0) {
        if (direct != null) {
          directPool.release(direct);
        } else if (pooled) {
          pool.release(buf);
        }
        slots.release();
      }
    }
  }

  /** Direct buffers of one size, allocated lazily, never more than {@code count}. */
  private static final class DirectPool extends Pool<ByteBuffer> {
    DirectPool(int size, int count) {
      super(count, () -> ByteBuffer.allocateDirect(size));
    }
  }

  /** Where the archive goes: a stream, or a channel that takes direct buffers as they are. */
  private interface Sink {
    void write(Chunk c) throws IOException;
  }

  private final ObjectStore store;
  private final String key;
  private final URI uri;
  private final FrameCodec codec;
  private final TransferOptions options;
  private final ProgressListener progress;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile Trailer trailer;

  private ArchiveDownloader(
      ObjectStore store,
      String key,
      Compression compression,
      TransferOptions options,
      ProgressListener progress) {
    this.store = store;
    this.key = key;
    this.uri = store.uri(key);
    this.codec = FrameCodec.of(compression, 0);
    this.options = options;
    this.progress = progress == null ? ProgressListener.NONE : progress;
  }

  /** Reads {@code key}, decompresses it into {@code out}, and verifies it against expected. */
  public static DownloadResult download(
      ObjectStore store,
      String key,
      Compression compression,
      Expected expected,
      OutputStream out,
      TransferOptions options,
      ProgressListener progress)
      throws IOException {
    return new ArchiveDownloader(store, key, compression, options, progress)
        .run(
            expected == null ? Expected.NOTHING : expected,
            c -> out.write(c.buf, 0, c.length),
            false);
  }

  /**
   * Same, into a channel (a file): zstd frames are decompressed into direct buffers, which the
   * channel writes and the digest reads without a copy into or out of the Java heap.
   */
  public static DownloadResult download(
      ObjectStore store,
      String key,
      Compression compression,
      Expected expected,
      WritableByteChannel out,
      TransferOptions options,
      ProgressListener progress)
      throws IOException {
    Sink sink =
        c -> {
          ByteBuffer b = c.view();
          while (b.hasRemaining()) {
            out.write(b);
          }
        };
    return new ArchiveDownloader(store, key, compression, options, progress)
        .run(expected == null ? Expected.NOTHING : expected, sink, true);
  }

  private boolean failed() {
    return failure.get() != null;
  }

  private void fail(Throwable t) {
    failure.compareAndSet(null, t);
  }

  private DownloadResult run(Expected expected, Sink out, boolean directOut) throws IOException {
    try (ObjectReader reader = store.open(key)) {
      long size = reader.info().size();
      if (expected.storedBytes() != null && expected.storedBytes() != size) {
        throw new IntegrityException(
            uri
                + " is "
                + size
                + " bytes, the manifest says "
                + expected.storedBytes()
                + (size < expected.storedBytes() ? " (truncated)" : ""));
      }
      int slots = options.threads() + 2;
      int frameSize = options.frameSize();
      BufferPool outPool = new BufferPool(frameSize, slots);
      DirectPool directPool =
          directOut && codec.decompressesToDirect() ? new DirectPool(frameSize, slots) : null;
      BufferPool inPool =
          new BufferPool(FrameCodec.of(codec.compression(), 0).maxFrameSize(frameSize), slots + 1);
      Semaphore frameSlots = new Semaphore(slots);
      BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
      ExecutorService io = Threads.pool("stasis-fetch", options.concurrency());
      ExecutorService cpu = Threads.pool("stasis-decompress", options.threads());
      RangeInputStream stream =
          new RangeInputStream(
              reader,
              options.partSize(),
              options.concurrency(),
              io,
              this::failed,
              expected.storedSha256() != null);
      Thread splitter =
          Threads.start(
              "stasis-split",
              () -> {
                try {
                  split(stream, inPool, outPool, directPool, frameSlots, chunks, cpu);
                  chunks.put(END);
                } catch (Throwable t) {
                  fail(t);
                }
              });
      Hasher hasher = new Hasher();
      Thread hasherThread = Threads.start("stasis-hash", hasher);
      long archiveBytes = 0;
      try {
        while (!failed()) {
          Object item = chunks.poll(100, TimeUnit.MILLISECONDS);
          if (item == null) {
            continue;
          }
          if (item == END) {
            break;
          }
          @SuppressWarnings("unchecked")
          Chunk c = ((Future<Chunk>) item).get();
          c.returnTo(outPool, directPool, frameSlots);
          hasher.chunks.put(c);
          out.write(c);
          archiveBytes += c.length;
          c.done();
          progress.progress(
              archiveBytes, expected.archiveBytes() == null ? -1 : expected.archiveBytes());
        }
        hasher.chunks.put(END);
      } catch (ExecutionException e) {
        fail(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(new InterruptedIOException("interrupted"));
      } catch (IOException | RuntimeException e) {
        fail(e);
      } finally {
        try {
          splitter.join();
          hasherThread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        stream.close();
        io.shutdownNow();
        cpu.shutdownNow();
      }
      Throwable t = failure.get();
      if (t != null) {
        throw describe(t);
      }
      if (stream.position() != size) {
        throw new IntegrityException(
            uri + ": read " + stream.position() + " of " + size + " bytes");
      }
      byte[] stored = stream.digest();
      return verify(
          expected,
          size,
          archiveBytes,
          Hashes.hex(hasher.digest.digest()),
          stored == null ? null : Hashes.hex(stored));
    }
  }

  /** SHA-256 of the archive, in order, beside the thread that writes it. */
  private final class Hasher implements Runnable {
    final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    final MessageDigest digest = Hashes.sha256();

    @Override
    public void run() {
      try {
        while (!failed()) {
          Object item = chunks.poll(100, TimeUnit.MILLISECONDS);
          if (item == END) {
            return;
          }
          if (item != null) {
            Chunk c = (Chunk) item;
            if (c.direct != null) {
              digest.update(c.view());
            } else {
              digest.update(c.buf, 0, c.length);
            }
            c.done();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(new InterruptedIOException("interrupted"));
      } catch (Throwable t) {
        fail(t);
      }
    }
  }

  private IOException describe(Throwable t) {
    IOException e = ArchiveUploader.asIoException(t);
    if (e instanceof IntegrityException || e instanceof InterruptedIOException) {
      return e;
    }
    if (e instanceof StorageException) {
      return e;
    }
    if (e instanceof EOFException) {
      return new IntegrityException(uri + " is truncated: " + e.getMessage(), e);
    }
    return new IntegrityException(uri + " is corrupt: " + e.getMessage(), e);
  }

  private DownloadResult verify(
      Expected expected, long storedBytes, long archiveBytes, String sha256, String storedSha256)
      throws IntegrityException {
    String by = "none";
    if (expected.storedSha256() != null
        && !expected.storedSha256().equalsIgnoreCase(storedSha256)) {
      throw new IntegrityException(
          uri
              + ": SHA-256 of the stored object is "
              + storedSha256
              + ", the manifest says "
              + expected.storedSha256());
    }
    if (expected.archiveBytes() != null && expected.archiveBytes() != archiveBytes) {
      throw new IntegrityException(
          uri
              + " decompresses to "
              + archiveBytes
              + " bytes, the manifest says "
              + expected.archiveBytes());
    }
    if (expected.sha256() != null) {
      if (!expected.sha256().equalsIgnoreCase(sha256)) {
        throw new IntegrityException(
            uri
                + ": SHA-256 of the archive is "
                + sha256
                + ", the manifest says "
                + expected.sha256());
      }
      by = "manifest";
    }
    Trailer t = trailer;
    if (t != null) {
      if (t.archiveBytes() != archiveBytes || !t.sha256Hex().equals(sha256)) {
        throw new IntegrityException(
            uri
                + ": archive is "
                + archiveBytes
                + " bytes with SHA-256 "
                + sha256
                + ", its trailer says "
                + t.archiveBytes()
                + " bytes with "
                + t.sha256Hex());
      }
      if (by.equals("none")) {
        by = "trailer";
      }
    }
    return new DownloadResult(uri, archiveBytes, storedBytes, sha256, storedSha256, by);
  }

  private void split(
      RangeInputStream stream,
      BufferPool inPool,
      BufferPool outPool,
      DirectPool directPool,
      Semaphore frameSlots,
      BlockingQueue<Object> chunks,
      ExecutorService cpu)
      throws IOException, InterruptedException {
    FrameInput in =
        new FrameInput(
            stream, inPool.acquire(this::failed), FrameCodec.MAX_SPLIT_FRAME + 1024 * 1024);
    while (!failed()) {
      Frame f;
      try {
        f = codec.next(in);
      } catch (NotSplittableException e) {
        sequential(in, stream, outPool, frameSlots, chunks);
        return;
      }
      if (f == null) {
        return;
      }
      if (f.trailer() != null) {
        trailer = f.trailer();
        continue;
      }
      if (!f.isData()) {
        continue;
      }
      acquire(frameSlots);
      int length = in.length();
      int contentSize = (int) f.contentSize();
      long frameStart = in.frameStart();
      byte[] src = in.take(inPool.acquire(this::failed));
      chunks.put(
          cpu.submit(
              () -> {
                try {
                  if (directPool != null && contentSize <= outPool.bufferSize()) {
                    ByteBuffer dst = directPool.acquire(this::failed);
                    try {
                      codec.decompress(src, length, dst, contentSize);
                    } catch (IOException e) {
                      directPool.release(dst);
                      throw new IntegrityException(
                          uri
                              + " is corrupt: frame at offset "
                              + frameStart
                              + ": "
                              + e.getMessage(),
                          e);
                    }
                    return new Chunk(dst, contentSize);
                  }
                  boolean pooled = contentSize <= outPool.bufferSize();
                  byte[] dst = pooled ? outPool.acquire(this::failed) : new byte[contentSize];
                  try {
                    codec.decompress(src, length, dst, contentSize);
                  } catch (IOException e) {
                    if (pooled) {
                      outPool.release(dst);
                    }
                    throw new IntegrityException(
                        uri + " is corrupt: frame at offset " + frameStart + ": " + e.getMessage(),
                        e);
                  }
                  return new Chunk(dst, contentSize, pooled);
                } finally {
                  inPool.release(src);
                }
              }));
    }
  }

  /** The fallback: one decoder over the rest of the stream, read in frame-size slices. */
  private void sequential(
      FrameInput in,
      RangeInputStream stream,
      BufferPool outPool,
      Semaphore frameSlots,
      BlockingQueue<Object> chunks)
      throws IOException, InterruptedException {
    InputStream rest =
        new SequenceInputStream(new ByteArrayInputStream(in.buffer(), 0, in.length()), stream);
    try (InputStream decoder = codec.decoder(rest)) {
      while (!failed()) {
        acquire(frameSlots);
        byte[] dst = outPool.acquire(this::failed);
        int n = decoder.readNBytes(dst, 0, dst.length);
        if (n == 0) {
          outPool.release(dst);
          frameSlots.release();
          break;
        }
        chunks.put(CompletableFuture.completedFuture(new Chunk(dst, n, true)));
      }
    }
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
}
