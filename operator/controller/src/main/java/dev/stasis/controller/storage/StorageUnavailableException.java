package dev.stasis.controller.storage;

/** A storage cannot be used as configured: a reason for the condition and a message for people. */
public class StorageUnavailableException extends Exception {
  private final String reason;

  public StorageUnavailableException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
