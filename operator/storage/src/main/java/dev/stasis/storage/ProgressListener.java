package dev.stasis.storage;

/** Told how far a transfer has come. Called from pipeline threads; must be quick. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (done, total) -> {};

  /**
   * @param bytesDone archive (uncompressed) bytes moved so far
   * @param totalBytes archive bytes in all, or -1 while unknown
   */
  void progress(long bytesDone, long totalBytes);
}
