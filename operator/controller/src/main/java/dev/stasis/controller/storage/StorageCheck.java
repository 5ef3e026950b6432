package dev.stasis.controller.storage;

/**
 * What checking a CheckpointStorage found: its configuration is invalid, or it is valid but cannot
 * be reached, or it is available at {@code location}.
 *
 * @param reason the CamelCase reason of a failure (null when available)
 */
record StorageCheck(Outcome outcome, String reason, String message, StorageLocation location) {
  enum Outcome {
    INVALID,
    UNREACHABLE,
    AVAILABLE
  }

  static StorageCheck invalid(String reason, String message) {
    return new StorageCheck(Outcome.INVALID, reason, message, null);
  }

  static StorageCheck unreachable(String reason, String message) {
    return new StorageCheck(Outcome.UNREACHABLE, reason, message, null);
  }

  static StorageCheck available(StorageLocation location) {
    return new StorageCheck(Outcome.AVAILABLE, null, null, location);
  }
}
