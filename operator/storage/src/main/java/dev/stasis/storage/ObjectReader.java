package dev.stasis.storage;

import java.io.Closeable;
import java.io.IOException;

/** Ranged, thread-safe reads of one object version. */
public interface ObjectReader extends Closeable {
  /** The object being read. */
  ObjectInfo info();

  /**
   * Reads exactly {@code length} bytes starting at {@code offset} into {@code dst}. May be called
   * from several threads at once. Transient failures are retried inside; a short object is an
   * {@link IntegrityException}.
   */
  void readFully(long offset, byte[] dst, int dstOffset, int length) throws IOException;

  @Override
  default void close() throws IOException {}
}
