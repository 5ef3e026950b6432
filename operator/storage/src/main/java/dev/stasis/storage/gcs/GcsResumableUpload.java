package dev.stasis.storage.gcs;

import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.StorageException;
import dev.stasis.storage.StoredParts;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resumable upload session: parts are written to it in order, and the object appears when it is
 * finalized. Abandoned, the session is never finalized and no object appears; GCS discards it after
 * a week. The client library retries the session's chunks itself.
 */
final class GcsResumableUpload implements ObjectUpload {
  private static final Logger LOG = LoggerFactory.getLogger(GcsResumableUpload.class);
  private static final int CHUNK_ALIGN = 256 * 1024;

  private final GcsObjectStore store;
  private final String key;
  private final WriteChannel ch;
  private final StoredParts<Integer> parts;
  private boolean failed;

  private GcsResumableUpload(GcsObjectStore store, String key, WriteChannel ch) {
    this.store = store;
    this.key = key;
    this.ch = ch;
    this.parts = new StoredParts<>(store.uri(key));
  }

  /** Opens the session; its chunks are the part size, rounded down to 256 KiB. */
  static GcsResumableUpload start(
      GcsObjectStore store, String key, String contentType, int partSize) throws IOException {
    try {
      WriteChannel ch =
          store
              .client()
              .writer(
                  BlobInfo.newBuilder(BlobId.of(store.bucket(), key))
                      .setContentType(contentType)
                      .build());
      ch.setChunkSize(Math.max(CHUNK_ALIGN, partSize / CHUNK_ALIGN * CHUNK_ALIGN));
      return new GcsResumableUpload(store, key, ch);
    } catch (RuntimeException e) {
      throw store.error("start resumable upload of", key, e);
    }
  }

  private StorageException alreadyFailed() {
    return new StorageException("resumable upload of " + store.uri(key) + " already failed");
  }

  @Override
  public synchronized void uploadPart(int partNumber, byte[] data, int length) throws IOException {
    if (failed) {
      throw alreadyFailed();
    }
    int expected = parts.count() + 1;
    if (partNumber != expected) {
      throw new IllegalStateException(
          "GCS parts must arrive in order: got " + partNumber + ", expected " + expected);
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(data, 0, length);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      parts.add(partNumber, length);
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw store.error("resumable upload of", key, e);
    }
  }

  @Override
  public synchronized void complete(int partCount) throws IOException {
    if (failed) {
      throw alreadyFailed();
    }
    parts.all(partCount);
    try {
      ch.close();
    } catch (RuntimeException e) {
      throw store.error("finish resumable upload of", key, e);
    }
  }

  @Override
  public void abort() {
    // Never finalized: the session expires and no object appears.
    LOG.debug("abandoned resumable upload of {}", store.uri(key));
  }
}
