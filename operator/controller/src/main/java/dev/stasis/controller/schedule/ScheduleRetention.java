package dev.stasis.controller.schedule;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointScheduleSpec;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.util.Durations;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Retention of a schedule's Checkpoints: keeps the newest {@code keepLast} runs and every run
 * younger than {@code keepWithin}, never an active one, and deletes the others (each Checkpoint's
 * own deletionPolicy then decides about its stored objects).
 */
final class ScheduleRetention {
  private final KubernetesClient client;
  private final EventRecorder events;

  ScheduleRetention(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
  }

  /** The Checkpoints retention lets go, newest first. */
  static List<Checkpoint> expired(
      CheckpointScheduleSpec spec, ScheduledCheckpoints checkpoints, Instant now) {
    int keepLast = spec.getKeepLast() == null ? 3 : spec.getKeepLast();
    Instant keepAfter =
        spec.getKeepWithin() == null || spec.getKeepWithin().isBlank()
            ? null
            : now.minus(Durations.parse(spec.getKeepWithin()));
    List<Checkpoint> out = new ArrayList<>();
    List<Checkpoint> all =
        checkpoints.all().stream().filter(c -> !ScheduledCheckpoints.deleting(c)).toList();
    for (int i = keepLast; i < all.size(); i++) {
      Checkpoint c = all.get(i);
      boolean young = keepAfter != null && ScheduledCheckpoints.runTime(c).isAfter(keepAfter);
      if (!young && ScheduledCheckpoints.finished(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /** Deletes what retention lets go; whether anything was deleted. */
  boolean apply(CheckpointSchedule schedule, ScheduledCheckpoints checkpoints, Instant now) {
    List<Checkpoint> expired = expired(schedule.getSpec(), checkpoints, now);
    for (Checkpoint c : expired) {
      client.resource(c).delete();
      events.normal(
          schedule,
          "Pruned",
          "Delete",
          "deleted Checkpoint "
              + c.getMetadata().getName()
              + " (keepLast "
              + schedule.getSpec().getKeepLast()
              + (schedule.getSpec().getKeepWithin() == null
                  ? ""
                  : ", keepWithin " + schedule.getSpec().getKeepWithin())
              + ")");
    }
    return !expired.isEmpty();
  }
}
