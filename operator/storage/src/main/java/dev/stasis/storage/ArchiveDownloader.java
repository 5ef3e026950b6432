package dev.stasis.storage;

import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.storage.codec.FrameCodec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Reads one stored archive back: parallel ranged reads, frames cut out of the stream and
 * decompressed in parallel, written in order to the caller's stream, then verified.
 *
 * <pre>
 * io pool     : ranged reads, concurrency in flight, each partSize bytes    (RangeInputStream)
 * splitter    : in order: SHA-256(stored) -> find frame boundaries -> submit decompression
 *                                                                           (FrameSplitter)
 * cpu pool    : decompress one frame (checks its own checksum)
 * caller      : in order: write to the output                 } both read the same buffer, which
 * hasher      : in order: SHA-256(archive)                     } goes back to the pool after both
 * </pre>
 *
 * <p>Hashing and writing run on two threads because each is a sequential pass over the whole
 * archive: on one thread their times add up, on two they overlap.
 *
 * <p>The bytes written to {@code out} are not yet known good: only when this method returns
 * normally were the sizes and SHA-256 checked (by the {@link ArchiveVerifier}). {@link
 * CheckpointRepository#readArchive} and {@code cp} therefore write to a temporary file and move it
 * into place only after that.
 */
public final class ArchiveDownloader {
  /** Where the archive goes: a stream, or a channel that takes direct buffers as they are. */
  private interface Sink {
    void write(DecodedChunk c) throws IOException;
  }

  private final ObjectStore store;
  private final String key;
  private final URI uri;
  private final FrameCodec codec;
  private final TransferOptions options;
  private final ProgressListener progress;
  private final Pipeline pipeline = new Pipeline();

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
            c -> out.write(c.array(), 0, c.length()),
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

  private DownloadResult run(Expected expected, Sink out, boolean directOut) throws IOException {
    ArchiveVerifier verifier = new ArchiveVerifier(uri, expected);
    try (ObjectReader reader = store.open(key)) {
      long size = reader.info().size();
      verifier.checkStoredSize(size);
      BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
      ExecutorService io = Threads.pool("stasis-fetch", options.concurrency());
      ExecutorService cpu = Threads.pool("stasis-decompress", options.threads());
      RangeInputStream stream =
          new RangeInputStream(
              reader,
              options.partSize(),
              options.concurrency(),
              io,
              pipeline::failed,
              expected.storedSha256() != null);
      FrameSplitter splitter =
          new FrameSplitter(
              codec,
              uri,
              stream,
              pipeline,
              cpu,
              chunks,
              options.frameSize(),
              options.threads() + 2,
              directOut);
      Thread splitterThread = Threads.start("stasis-split", splitter);
      Hasher hasher = new Hasher();
      Thread hasherThread = Threads.start("stasis-hash", hasher);
      long archiveBytes = 0;
      try {
        Object item;
        while ((item = pipeline.next(chunks)) != null && item != Pipeline.END) {
          @SuppressWarnings("unchecked")
          DecodedChunk c = ((Future<DecodedChunk>) item).get();
          hasher.chunks.put(c);
          out.write(c);
          archiveBytes += c.length();
          c.done();
          progress.progress(
              archiveBytes, expected.archiveBytes() == null ? -1 : expected.archiveBytes());
        }
        hasher.chunks.put(Pipeline.END);
      } catch (ExecutionException e) {
        pipeline.fail(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pipeline.fail(new InterruptedIOException("interrupted"));
      } catch (IOException | RuntimeException e) {
        pipeline.fail(e);
      } finally {
        try {
          splitterThread.join();
          hasherThread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        stream.close();
        io.shutdownNow();
        cpu.shutdownNow();
      }
      if (pipeline.failed()) {
        throw verifier.describe(pipeline.failure());
      }
      verifier.checkFullyRead(stream.position(), size);
      byte[] stored = stream.digest();
      return verifier.verify(
          size,
          archiveBytes,
          Hashes.hex(hasher.digest.digest()),
          stored == null ? null : Hashes.hex(stored),
          splitter.trailer());
    }
  }

  /** SHA-256 of the archive, in order, beside the thread that writes it. */
  private final class Hasher implements Runnable {
    final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    final MessageDigest digest = Hashes.sha256();

    @Override
    public void run() {
      try {
        Object item;
        while ((item = pipeline.next(chunks)) != null && item != Pipeline.END) {
          DecodedChunk c = (DecodedChunk) item;
          c.hashInto(digest);
          c.done();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pipeline.fail(new InterruptedIOException("interrupted"));
      } catch (Throwable t) {
        pipeline.fail(t);
      }
    }
  }
}
