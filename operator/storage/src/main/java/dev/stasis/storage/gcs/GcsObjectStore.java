package dev.stasis.storage.gcs;

import com.google.cloud.ReadChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.stasis.api.Stasis;
import dev.stasis.storage.BackendObjectStore;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.Retry;
import dev.stasis.storage.SdkRequests;
import dev.stasis.storage.StorageUri;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Google Cloud Storage through google-cloud-storage.
 *
 * <p>Uploads use one <b>resumable upload</b> session per object: parts are written to it in order
 * (compression still runs in parallel ahead of it). The alternative, parallel composite uploads,
 * was not chosen: it leaves temporary objects to clean up after a crash, the composed object has no
 * MD5, and early-deletion charges apply to the parts in Nearline and colder classes. A resumable
 * session that is never finalized never becomes an object, so an aborted upload leaves nothing
 * visible; GCS discards the session after a week. The client library retries the session's chunks
 * itself.
 */
public final class GcsObjectStore extends BackendObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(GcsObjectStore.class);

  private final Storage storage;
  private final String bucket;
  private final SdkRequests<RuntimeException> requests;
  private final boolean ownsClient;

  public GcsObjectStore(Storage storage, String bucket, boolean ownsClient) {
    this.storage = storage;
    this.bucket = bucket;
    this.requests =
        new SdkRequests<>(Retry.defaults(), RuntimeException.class, this::uri, this::error);
    this.ownsClient = ownsClient;
  }

  public Storage client() {
    return storage;
  }

  String bucket() {
    return bucket;
  }

  @Override
  public URI uri(String key) {
    return StorageUri.uriOf(Stasis.SCHEME_GCS, bucket, key);
  }

  /** Maps a failure of the client library (or of a resumable upload's channel). */
  dev.stasis.storage.StorageException error(String what, String key, Exception e) {
    if (e instanceof StorageException se) {
      return failed(
          what,
          key,
          "HTTP " + se.getCode() + ": " + se.getMessage(),
          se.isRetryable() || SdkRequests.transientStatus(se.getCode()),
          e);
    }
    return failed(what, key, e.getMessage(), false, e);
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    return requests.send(
        "GET metadata",
        key,
        () -> {
          Blob b = storage.get(BlobId.of(bucket, key));
          return Optional.ofNullable(b == null || !finalized(b) ? null : info(b));
        });
  }

  /**
   * GCS itself lists only finalized objects, and those always have a size. An entry without one is
   * a resumable upload still being written (google-cloud-nio's in-memory GCS shows those), which
   * must look as absent as an unfinished S3 multipart upload does.
   */
  private static boolean finalized(Blob b) {
    return b.getSize() != null;
  }

  private static ObjectInfo info(Blob b) {
    Instant t =
        b.getUpdateTimeOffsetDateTime() == null
            ? null
            : b.getUpdateTimeOffsetDateTime().toInstant();
    return new ObjectInfo(b.getName(), b.getSize(), String.valueOf(b.getGeneration()), t);
  }

  @Override
  protected Ranges openVersion(String key, ObjectInfo info) {
    Long generation = info.version().equals("null") ? null : Long.valueOf(info.version());
    BlobId id = BlobId.of(bucket, key, generation);
    return (offset, dst, dstOffset, length) ->
        requests.send(
            "GET",
            key,
            " at " + offset,
            () -> {
              try (ReadChannel ch = storage.reader(id)) {
                ch.setChunkSize(0);
                ch.seek(offset);
                ch.limit(offset + length);
                ByteBuffer buf = ByteBuffer.wrap(dst, dstOffset, length);
                while (buf.hasRemaining()) {
                  if (ch.read(buf) < 0) {
                    throw endsBefore(key, offset + length);
                  }
                }
                return null;
              }
            });
  }

  @Override
  public byte[] readAll(String key) throws IOException {
    return requests.readAll(
        key,
        e -> e instanceof StorageException se && se.getCode() == 404,
        () -> storage.readAllBytes(BlobId.of(bucket, key)));
  }

  @Override
  public void put(String key, byte[] data, int length, String contentType) throws IOException {
    byte[] content = length == data.length ? data : Arrays.copyOf(data, length);
    requests.send(
        "PUT",
        key,
        () ->
            storage.create(
                BlobInfo.newBuilder(BlobId.of(bucket, key)).setContentType(contentType).build(),
                content));
  }

  @Override
  public ObjectUpload startUpload(String key, String contentType, int partSize) throws IOException {
    return GcsResumableUpload.start(this, key, contentType, partSize);
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    return requests.send(
        "LIST",
        prefix,
        () -> {
          List<ObjectInfo> out = new ArrayList<>();
          Iterable<Blob> blobs =
              prefix.isEmpty()
                  ? storage.list(bucket).iterateAll()
                  : storage.list(bucket, Storage.BlobListOption.prefix(prefix)).iterateAll();
          for (Blob b : blobs) {
            if (finalized(b)) {
              out.add(info(b));
            }
          }
          return out;
        });
  }

  @Override
  public void delete(String key) throws IOException {
    requests.send("DELETE", key, () -> storage.delete(BlobId.of(bucket, key)));
  }

  @Override
  public boolean parallelParts() {
    return false;
  }

  @Override
  public void close() {
    if (ownsClient) {
      try {
        storage.close();
      } catch (Exception e) {
        LOG.debug("closing the GCS client: {}", e.toString());
      }
    }
  }
}
