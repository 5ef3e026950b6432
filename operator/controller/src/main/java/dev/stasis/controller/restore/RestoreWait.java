package dev.stasis.controller.restore;

/** A Restore that has to wait (for its Checkpoint to complete): says what for. */
final class RestoreWait extends Exception {
  RestoreWait(String message) {
    super(message);
  }
}
