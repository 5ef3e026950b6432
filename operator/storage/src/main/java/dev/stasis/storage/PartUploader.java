package dev.stasis.storage;

import dev.stasis.storage.codec.FrameCodec;
import dev.stasis.storage.codec.Trailer;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upload's collector stage: takes the compressed frames in order, cuts their stream into equal
 * parts, hashes each and uploads them in parallel, then completes the upload (or, for an object
 * that fits in one part, stores it with one put). On failure it aborts the upload.
 */
final class PartUploader implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PartUploader.class);

  /** A compressed frame, in a buffer of {@code out} until it was copied into a part. */
  record Compressed(byte[] buf, int length, int rawLength) {}

  private final ObjectStore store;
  private final String key;
  private final FrameCodec codec;
  private final Pipeline pipeline;
  private final ProgressListener progress;
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

  /**
   * @param frames futures of {@link Compressed} frames, in order, then {@link Pipeline#END}
   * @param out the pool of compressed frames, which this stage gives back
   * @param frameSlots frames in flight, one freed as each frame is taken
   * @param io where parts are uploaded, {@code concurrency} at a time
   */
  PartUploader(
      ObjectStore store,
      String key,
      FrameCodec codec,
      Pipeline pipeline,
      ProgressListener progress,
      BlockingQueue<Object> frames,
      BufferPool out,
      Semaphore frameSlots,
      int partSize,
      ExecutorService io,
      int concurrency,
      long sizeHint) {
    this.store = store;
    this.key = key;
    this.codec = codec;
    this.pipeline = pipeline;
    this.progress = progress;
    this.frames = frames;
    this.out = out;
    this.frameSlots = frameSlots;
    this.partSize = partSize;
    this.io = io;
    this.sizeHint = sizeHint;
    this.parts = new BufferPool(partSize, concurrency + 1);
  }

  /** The archive's length and SHA-256, for the trailer; set before {@link Pipeline#END}. */
  void archive(long bytes, byte[] sha256) {
    this.archiveBytes = bytes;
    this.archiveSha256 = sha256;
  }

  /** What was stored, once the stage finished without a failure. */
  UploadResult result() {
    return result;
  }

  @Override
  public void run() {
    try {
      collect();
    } catch (Throwable t) {
      pipeline.fail(t);
    }
    if (pipeline.failed() && upload != null) {
      upload.abort();
    }
  }

  private void collect() throws Exception {
    Object item;
    while ((item = pipeline.next(frames)) != Pipeline.END) {
      if (item == null) {
        return;
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
      if (!awaitUploads()) {
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

  /** Waits for every part; false as soon as any stage failed. */
  private boolean awaitUploads() throws Exception {
    for (Future<?> f : uploads) {
      while (true) {
        if (pipeline.failed()) {
          return false;
        }
        try {
          f.get(100, TimeUnit.MILLISECONDS);
          break;
        } catch (TimeoutException e) {
          // check for failures of the other parts
        }
      }
    }
    return !pipeline.failed();
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
        part = parts.acquire(pipeline::failed);
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
                if (!pipeline.failed()) {
                  u.uploadPart(number, data, length);
                }
              } catch (Throwable t) {
                pipeline.fail(t);
              } finally {
                parts.release(data);
              }
            }));
  }
}
