package dev.stasis.storage;

import java.io.IOException;

/**
 * A multipart upload in progress. Parts are numbered from 1; every part but the last has the same
 * size. Nothing is visible under the key until {@link #complete(int)} returns.
 */
public interface ObjectUpload {
  /**
   * Stores part {@code partNumber} ({@code length} bytes of {@code data}, which the caller does not
   * change until this returns). Thread-safe unless the store says {@link
   * ObjectStore#parallelParts()} is false, in which case parts arrive one at a time, in order.
   * Transient failures are retried inside.
   */
  void uploadPart(int partNumber, byte[] data, int length) throws IOException;

  /**
   * Makes the object visible, assembled from parts 1 to {@code partCount} in order; fails if any of
   * them was not stored.
   */
  void complete(int partCount) throws IOException;

  /** Discards the upload and every part stored so far. Best effort; never throws. */
  void abort();
}
