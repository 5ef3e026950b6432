package dev.stasis.storage;

import dev.stasis.storage.codec.Trailer;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;

/**
 * Checks what a download read against what it expected: sizes and SHA-256s from the manifest, else
 * the trailer frame's. The messages name the object.
 */
final class ArchiveVerifier {
  private final URI uri;
  private final Expected expected;

  ArchiveVerifier(URI uri, Expected expected) {
    this.uri = uri;
    this.expected = expected;
  }

  private IntegrityException manifestSays(String found, Object expectedValue) {
    return new IntegrityException(uri + found + ", the manifest says " + expectedValue);
  }

  /** Before reading: the stored object's size. */
  void checkStoredSize(long size) throws IntegrityException {
    Long want = expected.storedBytes();
    if (want != null && want != size) {
      throw manifestSays(" is " + size + " bytes", want + (size < want ? " (truncated)" : ""));
    }
  }

  /** After reading: the stream ended where the object does. */
  void checkFullyRead(long read, long size) throws IntegrityException {
    if (read != size) {
      throw new IntegrityException(uri + ": read " + read + " of " + size + " bytes");
    }
  }

  /**
   * After reading: sizes and SHA-256s.
   *
   * @param storedSha256 null when nothing expected it (it is computed only to be checked)
   * @param trailer the trailer frame, or null
   */
  DownloadResult verify(
      long storedBytes, long archiveBytes, String sha256, String storedSha256, Trailer trailer)
      throws IntegrityException {
    String by = "none";
    if (expected.storedSha256() != null
        && !expected.storedSha256().equalsIgnoreCase(storedSha256)) {
      throw manifestSays(
          ": SHA-256 of the stored object is " + storedSha256, expected.storedSha256());
    }
    if (expected.archiveBytes() != null && expected.archiveBytes() != archiveBytes) {
      throw manifestSays(" decompresses to " + archiveBytes + " bytes", expected.archiveBytes());
    }
    if (expected.sha256() != null) {
      if (!expected.sha256().equalsIgnoreCase(sha256)) {
        throw manifestSays(": SHA-256 of the archive is " + sha256, expected.sha256());
      }
      by = "manifest";
    }
    if (trailer != null) {
      if (trailer.archiveBytes() != archiveBytes || !trailer.sha256Hex().equals(sha256)) {
        throw new IntegrityException(
            uri
                + ": archive is "
                + archiveBytes
                + " bytes with SHA-256 "
                + sha256
                + ", its trailer says "
                + trailer.archiveBytes()
                + " bytes with "
                + trailer.sha256Hex());
      }
      if (by.equals("none")) {
        by = "trailer";
      }
    }
    return new DownloadResult(uri, archiveBytes, storedBytes, sha256, storedSha256, by);
  }

  /**
   * A failure while reading: a stream that ends early is truncated, one that does not parse is
   * corrupt.
   */
  IOException describe(Throwable t) {
    IOException e = Pipeline.asIoException(t);
    if (e instanceof StorageException || e instanceof InterruptedIOException) {
      return e;
    }
    if (e instanceof EOFException) {
      return new IntegrityException(uri + " is truncated: " + e.getMessage(), e);
    }
    return new IntegrityException(uri + " is corrupt: " + e.getMessage(), e);
  }
}
