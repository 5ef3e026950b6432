package dev.stasis.storage;

import java.io.Closeable;
import java.io.IOException;

/**
 * The base of the stores that keep objects in one backend (S3, GCS, a directory), as opposed to the
 * replicated store, which keeps them in others. What they have in common: {@link #open} looks the
 * current version up once and pins every ranged read to it, and failures name the object the same
 * way.
 */
public abstract class BackendObjectStore implements ObjectStore {
  /** Ranged reads of one version of an object (see {@link ObjectReader#readFully}). */
  @FunctionalInterface
  protected interface Ranges extends Closeable {
    void readFully(long offset, byte[] dst, int dstOffset, int length) throws IOException;

    @Override
    default void close() throws IOException {}
  }

  @Override
  public final ObjectReader open(String key) throws IOException {
    ObjectInfo info = stat(key).orElseThrow(() -> new NoSuchObjectException(uri(key)));
    Ranges ranges = openVersion(key, info);
    return new ObjectReader() {
      @Override
      public ObjectInfo info() {
        return info;
      }

      @Override
      public void readFully(long offset, byte[] dst, int dstOffset, int length) throws IOException {
        if (length > 0) {
          ranges.readFully(offset, dst, dstOffset, length);
        }
      }

      @Override
      public void close() throws IOException {
        ranges.close();
      }
    };
  }

  /** Opens the version {@code info} of {@code key} for ranged reads. */
  protected abstract Ranges openVersion(String key, ObjectInfo info) throws IOException;

  /** {@code what} ("GET", "LIST") on {@code key} failed; the message names the object. */
  protected final StorageException failed(
      String what, String key, String detail, boolean retryable, Throwable cause) {
    return new StorageException(what + " " + uri(key) + " failed: " + detail, retryable, cause);
  }

  /** A ranged read found {@code key} ending before {@code end}. */
  protected final IntegrityException endsBefore(String key, long end) {
    return new IntegrityException(uri(key) + " is shorter than expected: ends before " + end);
  }
}
