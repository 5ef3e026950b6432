package dev.stasis.controller.restore;

import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.controller.metrics.StasisMetrics;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a Restore's change of phase tells the world: a log line, an Event, the metrics. */
final class RestorePhaseEvents {
  private static final Logger LOG = LoggerFactory.getLogger(RestorePhaseEvents.class);

  private final EventRecorder events;
  private final StasisMetrics metrics;

  RestorePhaseEvents(EventRecorder events, StasisMetrics metrics) {
    this.events = events;
    this.metrics = metrics;
  }

  /**
   * @param before the phase the resource had (null: none yet)
   */
  void publish(Restore restore, RestorePhase before, RestoreStatus after) {
    RestorePhase previous = before == null ? RestorePhase.Pending : before;
    if (after.getPhase() == previous) {
      return;
    }
    LOG.info("phase {} -> {}: {}", previous, after.getPhase(), after.getMessage());
    Duration took = StatusFactory.elapsed(after.getStartTime(), after.getCompletionTime());
    switch (after.getPhase()) {
      case Failed -> {
        String reason = after.condition(Reasons.READY).map(Condition::getReason).orElse("Failed");
        events.warning(restore, reason, "Restore", after.getMessage());
        metrics.restoreFinished("failed", reason, took);
      }
      case Running -> {
        events.normal(restore, "Running", "Restore", after.getMessage());
        metrics.restoreFinished("running", "", took);
      }
      default -> events.normal(restore, after.getPhase().name(), "Restore", after.getMessage());
    }
  }
}
