package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.CheckpointStatus;
import java.time.Duration;

/**
 * What one step of the Checkpoint state machine decided: the status to write, and when to look
 * again (null: only on the next change of the resource).
 */
record CheckpointStep(CheckpointStatus status, Duration requeue) {
  static CheckpointStep done(CheckpointStatus status) {
    return new CheckpointStep(status, null);
  }

  static CheckpointStep again(CheckpointStatus status, Duration after) {
    return new CheckpointStep(status, after);
  }
}
