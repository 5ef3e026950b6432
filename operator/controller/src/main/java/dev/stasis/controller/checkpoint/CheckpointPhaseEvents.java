package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.controller.metrics.StasisMetrics;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a Checkpoint's change of phase tells the world: a log line, an Event, the metrics. */
final class CheckpointPhaseEvents {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointPhaseEvents.class);

  private final EventRecorder events;
  private final StasisMetrics metrics;

  CheckpointPhaseEvents(EventRecorder events, StasisMetrics metrics) {
    this.events = events;
    this.metrics = metrics;
  }

  /**
   * @param before the phase the resource had (null: none yet)
   */
  void publish(Checkpoint checkpoint, CheckpointPhase before, CheckpointStatus after) {
    CheckpointPhase previous = before == null ? CheckpointPhase.Pending : before;
    CheckpointPhase now = after.getPhase();
    if (now == previous) {
      return;
    }
    LOG.info("phase {} -> {}: {}", previous, now, after.getMessage());
    switch (now) {
      case Checkpointing ->
          events.normal(
              checkpoint,
              "Checkpointing",
              "Checkpoint",
              after.getTarget() != null
                  ? "checkpointing " + after.getTarget() + ": " + after.getMessage()
                  : "checkpointing pod "
                      + checkpoint.getSpec().getPodName()
                      + " on node "
                      + after.getNodeName()
                      + " to "
                      + after.getStorage()
                      + " ("
                      + after.getStorageReason()
                      + ")");
      case Uploading -> events.normal(checkpoint, "Uploading", "Upload", after.getMessage());
      case Completed -> {
        events.normal(checkpoint, "Completed", "Checkpoint", after.getMessage());
        metrics.checkpointFinished(
            outcome(checkpoint, after),
            "",
            after.getSize() == null ? 0 : after.getSize(),
            StatusFactory.elapsed(after.getStartTime(), after.getCompletionTime()));
        if (checkpoint.getSpec().getPodName() != null && after.getCompletionTime() != null) {
          metrics.checkpointCompleted(
              checkpoint.getMetadata().getNamespace(),
              checkpoint.getSpec().getPodName(),
              Instant.parse(after.getCompletionTime()));
        }
      }
      case Failed -> {
        String reason = after.condition(Reasons.READY).map(Condition::getReason).orElse("Failed");
        events.warning(checkpoint, reason, "Checkpoint", after.getMessage());
        metrics.checkpointFinished(
            "failed",
            reason,
            0,
            StatusFactory.elapsed(after.getStartTime(), after.getCompletionTime()));
      }
      default -> {}
    }
  }

  /** A workload checkpoint is counted apart: its pods' Checkpoints count as completed. */
  private static String outcome(Checkpoint checkpoint, CheckpointStatus after) {
    if (CheckpointAnnotations.isImported(checkpoint)) {
      return "imported";
    }
    return after.getTarget() != null ? "workload" : "completed";
  }
}
