package dev.stasis.storage;

import java.io.IOException;

/**
 * A storage operation failed. {@link #isRetryable()} says whether trying again may help (5xx,
 * throttling, dropped connections) or not (missing bucket, refused credentials).
 */
public class StorageException extends IOException {
  private final boolean retryable;

  public StorageException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public StorageException(String message) {
    this(message, false, null);
  }

  public boolean isRetryable() {
    return retryable;
  }
}
