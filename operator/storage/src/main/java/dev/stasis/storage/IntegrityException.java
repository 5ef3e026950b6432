package dev.stasis.storage;

/**
 * What was read is not what was written: a SHA-256 or size mismatch, a truncated object, or a
 * corrupt compressed frame. The message names the object.
 */
public class IntegrityException extends StorageException {
  public IntegrityException(String message) {
    super(message, false, null);
  }

  public IntegrityException(String message, Throwable cause) {
    super(message, false, cause);
  }
}
