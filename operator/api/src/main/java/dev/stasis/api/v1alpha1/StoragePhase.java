package dev.stasis.api.v1alpha1;

/** Whether a CheckpointStorage passed its last validation and reachability check. */
public enum StoragePhase {
  Available,
  Unavailable
}
