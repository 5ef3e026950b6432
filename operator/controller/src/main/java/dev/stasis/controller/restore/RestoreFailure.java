package dev.stasis.controller.restore;

/** A Restore that cannot go on: the reason for its Ready condition and a message for people. */
final class RestoreFailure extends Exception {
  private final String reason;

  RestoreFailure(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  String reason() {
    return reason;
  }
}
