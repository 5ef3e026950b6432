package dev.stasis.controller.util;

/**
 * One container's archive in storage, whether the agent reports it at the end of a job or a
 * manifest found in storage describes it: what a Checkpoint's status lists per container.
 */
public interface StoredArchive {
  String name();

  String image();

  /** URI of the stored object. */
  String objectUri();

  /** zstd, lz4, gzip or none. */
  String compression();

  long archiveBytes();

  long storedBytes();

  /** SHA-256 of the archive, hex. */
  String sha256();
}
