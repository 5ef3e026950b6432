package dev.stasis.api.v1alpha1;

/** Where a Checkpoint is in its life. Completed and Failed are final. */
public enum CheckpointPhase {
  Pending,
  Checkpointing,
  Uploading,
  Completed,
  Failed;

  public boolean isFinal() {
    return this == Completed || this == Failed;
  }
}
