package dev.stasis.api.v1alpha1;

/**
 * What a CheckpointSchedule does when a run is due while checkpoints of an earlier one are active.
 */
public enum ConcurrencyPolicy {
  /** Skip the new run. */
  Forbid,
  /**
   * Delete the active checkpoints of the earlier run (their stored objects as their policy says),
   * then run.
   */
  Replace,
  /** Run anyway. */
  Allow
}
