package dev.stasis.storage.gcs;

import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import dev.stasis.api.Stasis;
import dev.stasis.storage.IntegrityException;
import dev.stasis.storage.NoSuchObjectException;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.ObjectReader;
import dev.stasis.storage.ObjectStore;
import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.Retry;
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
public final class GcsObjectStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(GcsObjectStore.class);
  private static final int CHUNK_ALIGN = 256 * 1024;

  private final Storage storage;
  private final String bucket;
  private final Retry retry;
  private final boolean ownsClient;

  public GcsObjectStore(Storage storage, String bucket, boolean ownsClient) {
    this.storage = storage;
    this.bucket = bucket;
    this.retry = Retry.defaults();
    this.ownsClient = ownsClient;
  }

  public Storage client() {
    return storage;
  }

  @Override
  public URI uri(String key) {
    return StorageUri.uriOf(Stasis.SCHEME_GCS, bucket, key);
  }

  dev.stasis.storage.StorageException error(String what, String key, RuntimeException e) {
    boolean retryable = false;
    String detail = e.getMessage();
    if (e instanceof StorageException se) {
      retryable = se.isRetryable() || se.getCode() >= 500 || se.getCode() == 429;
      detail = "HTTP " + se.getCode() + ": " + se.getMessage();
    }
    return new dev.stasis.storage.StorageException(
        what + " " + uri(key) + " failed: " + detail, retryable, e);
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    return retry.call(
        "GET metadata " + uri(key),
        Retry::isRetryable,
        () -> {
          try {
            Blob b = storage.get(BlobId.of(bucket, key));
            return Optional.ofNullable(b == null || !finalized(b) ? null : info(b));
          } catch (RuntimeException e) {
            throw error("GET metadata", key, e);
          }
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
  public ObjectReader open(String key) throws IOException {
    ObjectInfo info = stat(key).orElseThrow(() -> new NoSuchObjectException(uri(key)));
    Long generation = info.version().equals("null") ? null : Long.valueOf(info.version());
    BlobId id = BlobId.of(bucket, key, generation);
    return new ObjectReader() {
      @Override
      public ObjectInfo info() {
        return info;
      }

      @Override
      public void readFully(long offset, byte[] dst, int dstOffset, int length) throws IOException {
        retry.call(
            "GET " + uri(key) + " at " + offset,
            Retry::isRetryable,
            () -> {
              try (ReadChannel ch = storage.reader(id)) {
                ch.setChunkSize(0);
                ch.seek(offset);
                ch.limit(offset + length);
                ByteBuffer buf = ByteBuffer.wrap(dst, dstOffset, length);
                while (buf.hasRemaining()) {
                  if (ch.read(buf) < 0) {
                    throw new IntegrityException(
                        uri(key) + " is shorter than expected: ends before " + (offset + length));
                  }
                }
                return null;
              } catch (RuntimeException e) {
                throw error("GET", key, e);
              }
            });
      }
    };
  }

  @Override
  public byte[] readAll(String key) throws IOException {
    return retry.call(
        "GET " + uri(key),
        Retry::isRetryable,
        () -> {
          try {
            return storage.readAllBytes(BlobId.of(bucket, key));
          } catch (StorageException e) {
            if (e.getCode() == 404) {
              throw new NoSuchObjectException(uri(key));
            }
            throw error("GET", key, e);
          } catch (RuntimeException e) {
            throw error("GET", key, e);
          }
        });
  }

  @Override
  public void put(String key, byte[] data, int length, String contentType) throws IOException {
    byte[] content = length == data.length ? data : Arrays.copyOf(data, length);
    retry.call(
        "PUT " + uri(key),
        Retry::isRetryable,
        () -> {
          try {
            storage.create(
                BlobInfo.newBuilder(BlobId.of(bucket, key)).setContentType(contentType).build(),
                content);
            return null;
          } catch (RuntimeException e) {
            throw error("PUT", key, e);
          }
        });
  }

  @Override
  public ObjectUpload startUpload(String key, String contentType, int partSize) throws IOException {
    WriteChannel ch;
    try {
      ch =
          storage.writer(
              BlobInfo.newBuilder(BlobId.of(bucket, key)).setContentType(contentType).build());
      ch.setChunkSize(Math.max(CHUNK_ALIGN, partSize / CHUNK_ALIGN * CHUNK_ALIGN));
    } catch (RuntimeException e) {
      throw error("start resumable upload of", key, e);
    }
    return new ObjectUpload() {
      private int expected = 1;
      private boolean failed;

      @Override
      public synchronized void uploadPart(int partNumber, byte[] data, int length)
          throws IOException {
        if (failed) {
          throw new dev.stasis.storage.StorageException(
              "resumable upload of " + uri(key) + " already failed");
        }
        if (partNumber != expected) {
          throw new IllegalStateException(
              "GCS parts must arrive in order: got " + partNumber + ", expected " + expected);
        }
        try {
          ByteBuffer b = ByteBuffer.wrap(data, 0, length);
          while (b.hasRemaining()) {
            ch.write(b);
          }
          expected++;
        } catch (IOException | RuntimeException e) {
          failed = true;
          if (e instanceof RuntimeException re) {
            throw error("resumable upload of", key, re);
          }
          throw new dev.stasis.storage.StorageException(
              "resumable upload of " + uri(key) + " failed: " + e.getMessage(), false, e);
        }
      }

      @Override
      public synchronized void complete(int partCount) throws IOException {
        if (failed || expected != partCount + 1) {
          throw new dev.stasis.storage.StorageException(
              uri(key) + ": " + (expected - 1) + " of " + partCount + " parts were written");
        }
        try {
          ch.close();
        } catch (RuntimeException e) {
          throw error("finish resumable upload of", key, e);
        }
      }

      @Override
      public void abort() {
        // Never finalized: the session expires and no object appears.
        LOG.debug("abandoned resumable upload of {}", uri(key));
      }
    };
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    return retry.call(
        "LIST " + uri(prefix),
        Retry::isRetryable,
        () -> {
          try {
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
          } catch (RuntimeException e) {
            throw error("LIST", prefix, e);
          }
        });
  }

  @Override
  public void delete(String key) throws IOException {
    retry.call(
        "DELETE " + uri(key),
        Retry::isRetryable,
        () -> {
          try {
            storage.delete(BlobId.of(bucket, key));
            return null;
          } catch (RuntimeException e) {
            throw error("DELETE", key, e);
          }
        });
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
