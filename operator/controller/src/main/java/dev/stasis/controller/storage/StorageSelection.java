package dev.stasis.controller.storage;

import dev.stasis.api.v1alpha1.CheckpointStorage;

/**
 * The storage a checkpoint goes to: a CheckpointStorage, or a {@code dir} URI. {@code reason} is
 * the sentence kept in status.storageReason; {@code conditionReason} the CamelCase condition
 * reason.
 */
public record StorageSelection(
    CheckpointStorage storage, String dir, String reason, String conditionReason) {

  /** What status.storage shows: the CheckpointStorage's name, or the dir URI. */
  public String display() {
    return storage != null ? storage.getMetadata().getName() : dir;
  }
}
