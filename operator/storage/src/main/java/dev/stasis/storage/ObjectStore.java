package dev.stasis.storage;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The store SPI: a flat namespace of objects under a root (an S3 or GCS bucket, a directory, or the
 * replicated store's name). Keys are relative to that root and use {@code /} as separator.
 * Implementations: {@link dev.stasis.storage.s3.S3ObjectStore}, {@link
 * dev.stasis.storage.gcs.GcsObjectStore}, {@link dev.stasis.storage.fs.FileObjectStore}, {@link
 * dev.stasis.storage.replicated.ReplicatedObjectStore}. All methods are thread-safe.
 */
public interface ObjectStore extends AutoCloseable {
  /** The URI of {@code key}, for example {@code s3://bucket/key}. */
  URI uri(String key);

  /** The object's size and version, or empty if there is none. */
  Optional<ObjectInfo> stat(String key) throws IOException;

  /** Opens the current version of the object for ranged reads. */
  ObjectReader open(String key) throws IOException;

  /** Reads a small object whole (a manifest). */
  byte[] readAll(String key) throws IOException;

  /** Writes a small object in one request; it appears whole or not at all. */
  void put(String key, byte[] data, int length, String contentType) throws IOException;

  /**
   * Starts a multipart upload to {@code key}. Every part will be {@code partSize} bytes except the
   * last, which may be shorter.
   */
  ObjectUpload startUpload(String key, String contentType, int partSize) throws IOException;

  /** Every object whose key starts with {@code prefix} (recursive), in no particular order. */
  List<ObjectInfo> list(String prefix) throws IOException;

  /** Deletes the object; deleting a missing object is not an error. */
  void delete(String key) throws IOException;

  /**
   * Discards every unfinished upload to a key under {@code prefix}: what a process that died in the
   * middle of an upload left (S3 multipart uploads, the directory store's temporary files). Returns
   * how many it discarded. Stores whose unfinished uploads leave nothing behind (a GCS resumable
   * session that is never finalized) have nothing to do.
   */
  default int abortUploads(String prefix) throws IOException {
    return 0;
  }

  /** Whether parts of one upload may be sent at the same time (false: one after another). */
  default boolean parallelParts() {
    return true;
  }

  /** The smallest part size the store accepts for all parts but the last. */
  default int minPartSize() {
    return 1;
  }

  /** The largest number of parts in one upload. */
  default int maxParts() {
    return Integer.MAX_VALUE;
  }

  @Override
  void close();
}
