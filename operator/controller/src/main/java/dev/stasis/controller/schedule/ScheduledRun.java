package dev.stasis.controller.schedule;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointScheduleSpec;
import dev.stasis.api.v1alpha1.ConcurrencyPolicy;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.workload.TargetPods;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A due run: checks the concurrency policy against the schedule's active Checkpoints (Forbid skips
 * while one is active, Replace deletes them first, Allow runs anyway), checks that the target has
 * Running pods, and creates the run's Checkpoint ({@link RunCheckpoint}); a Checkpoint of that name
 * already there is this run's, made by an earlier try.
 */
final class ScheduledRun {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduledRun.class);

  private final KubernetesClient client;
  private final TargetPods targets;
  private final EventRecorder events;

  ScheduledRun(KubernetesClient client, TargetPods targets, EventRecorder events) {
    this.client = client;
    this.targets = targets;
    this.events = events;
  }

  /** What became of a due run. */
  record Outcome(Kind kind, String checkpoint, List<String> others, String problem) {
    enum Kind {
      /** Its Checkpoint was created. */
      CREATED,
      /** Active Checkpoints (others) were deleted, then its Checkpoint created. */
      REPLACED,
      /** Forbid: skipped while others are active. */
      FORBIDDEN,
      /** The target has no Running pod (problem says why): not run yet. */
      NO_TARGET
    }
  }

  Outcome run(CheckpointSchedule schedule, Instant runTime, ScheduledCheckpoints checkpoints) {
    CheckpointScheduleSpec spec = schedule.getSpec();
    List<String> active =
        checkpoints.active().stream().map(c -> c.getMetadata().getName()).toList();
    String name = RunCheckpoint.name(schedule, runTime);
    if (active.contains(name)) {
      return new Outcome(Outcome.Kind.CREATED, name, List.of(), null);
    }
    ConcurrencyPolicy policy =
        spec.getConcurrencyPolicy() == null
            ? ConcurrencyPolicy.Forbid
            : spec.getConcurrencyPolicy();
    if (!active.isEmpty() && policy == ConcurrencyPolicy.Forbid) {
      return new Outcome(Outcome.Kind.FORBIDDEN, name, active, null);
    }
    TargetPods.Resolved pods =
        targets.resolve(
            schedule.getMetadata().getNamespace(),
            spec.getPodName(),
            spec.getSelector(),
            spec.getWorkloadRef());
    if (pods.problem() != null) {
      return new Outcome(Outcome.Kind.NO_TARGET, name, List.of(), pods.problem());
    }
    boolean replace = !active.isEmpty() && policy == ConcurrencyPolicy.Replace;
    if (replace) {
      for (Checkpoint old : checkpoints.active()) {
        client.resource(old).delete();
        events.normal(
            schedule,
            "Replaced",
            "Delete",
            "concurrencyPolicy Replace: deleted the active Checkpoint "
                + old.getMetadata().getName()
                + " for the run of "
                + runTime);
      }
    }
    create(schedule, runTime);
    return new Outcome(
        replace ? Outcome.Kind.REPLACED : Outcome.Kind.CREATED,
        name,
        replace ? active : List.of(),
        null);
  }

  private void create(CheckpointSchedule schedule, Instant runTime) {
    Checkpoint checkpoint = RunCheckpoint.build(schedule, runTime);
    try {
      client.resource(checkpoint).create();
      LOG.info(
          "schedule {}/{}: created Checkpoint {} for the run of {}",
          schedule.getMetadata().getNamespace(),
          schedule.getMetadata().getName(),
          checkpoint.getMetadata().getName(),
          runTime);
      events.normal(
          schedule,
          "Created",
          "Checkpoint",
          "created Checkpoint "
              + checkpoint.getMetadata().getName()
              + " for the run of "
              + runTime);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      LOG.debug("Checkpoint {} exists already", checkpoint.getMetadata().getName());
    }
  }
}
