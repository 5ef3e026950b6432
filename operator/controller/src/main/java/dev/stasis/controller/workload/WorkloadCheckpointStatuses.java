package dev.stasis.controller.workload;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.WorkloadPodCheckpoint;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.util.ByteSizes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every status of a workload Checkpoint: its target and pods, the phase its pods' Checkpoints add
 * up to (Checkpointing while any runs, Completed when all are, else Failed with PodsFailed), their
 * total size, and how far apart they were taken ({@link Spread}).
 */
final class WorkloadCheckpointStatuses {
  static final String NO_TARGET_PODS = "NoTargetPods";
  static final String PODS_FAILED = "PodsFailed";

  private final StatusFactory factory;

  WorkloadCheckpointStatuses(StatusFactory factory) {
    this.factory = factory;
  }

  CheckpointStatus failed(CheckpointStatus status, String reason, String message) {
    status.setPhase(CheckpointPhase.Failed);
    factory.failed(status, reason, message);
    return status;
  }

  /** The pods found, each with the name of its Checkpoint (not created yet). */
  CheckpointStatus podsFound(CheckpointStatus status, String target, Map<String, String> pods) {
    status.setTarget(target);
    List<WorkloadPodCheckpoint> entries = new ArrayList<>();
    pods.forEach(
        (pod, child) ->
            entries.add(
                new WorkloadPodCheckpoint(pod, null, child, CheckpointPhase.Pending, null, null)));
    status.setPods(entries);
    return status;
  }

  /**
   * What the pods' Checkpoints say. {@code children} holds, for each entry of {@code status.pods},
   * its Checkpoint (absent: deleted, which counts as failed).
   */
  CheckpointStatus aggregate(CheckpointStatus status, List<Optional<Checkpoint>> children) {
    List<WorkloadPodCheckpoint> pods = status.getPods();
    PodOutcomes outcomes = new PodOutcomes(pods.size());
    List<Instant> moments = new ArrayList<>();
    long size = 0;
    for (int i = 0; i < pods.size(); i++) {
      WorkloadPodCheckpoint entry = update(pods.get(i), children.get(i));
      StatusFactory.parse(entry.getCheckpointTime()).ifPresent(moments::add);
      if (entry.getPhase() == CheckpointPhase.Completed) {
        outcomes.succeeded();
        size += children.get(i).map(c -> c.getStatus().getSize()).orElse(0L);
      } else if (entry.getPhase() == CheckpointPhase.Failed) {
        outcomes.failed(entry.getPod(), why(children.get(i)));
      }
    }
    status.setSize(size);
    status.setDisplaySize(ByteSizes.display(size));
    Optional<Duration> spread = Spread.of(moments);
    status.setSpread(spread.map(Spread::display).orElse(null));
    status.setSpreadMillis(spread.map(Duration::toMillis).orElse(null));
    if (outcomes.going() > 0) {
      status.setPhase(CheckpointPhase.Checkpointing);
      status.setMessage(
          outcomes.done()
              + " of "
              + outcomes.total()
              + " pods' checkpoints completed, "
              + outcomes.going()
              + " running");
      factory.set(status, Reasons.READY, false, Reasons.IN_PROGRESS, status.getMessage());
    } else if (outcomes.allDone()) {
      status.setPhase(CheckpointPhase.Completed);
      status.setCompletionTime(factory.timestamp());
      status.setMessage(
          "checkpoints of "
              + outcomes.total()
              + " pods of "
              + status.getTarget()
              + " completed, taken within "
              + status.getSpread()
              + " ("
              + status.getDisplaySize()
              + ")");
      factory.set(status, Reasons.READY, true, Reasons.COMPLETED, status.getMessage());
    } else {
      failed(status, PODS_FAILED, outcomes.failures("checkpoints"));
    }
    return status;
  }

  /** One pod's entry as its Checkpoint says (a deleted one: Failed). */
  private static WorkloadPodCheckpoint update(
      WorkloadPodCheckpoint entry, Optional<Checkpoint> child) {
    Optional<CheckpointStatus> status = child.map(Checkpoint::getStatus);
    entry.setPhase(
        child.isEmpty()
            ? CheckpointPhase.Failed
            : status.map(CheckpointStatus::getPhase).orElse(CheckpointPhase.Pending));
    status.ifPresent(
        c -> {
          entry.setNodeName(c.getNodeName());
          entry.setPath(c.getPath());
          entry.setCheckpointTime(c.getCheckpointTime());
        });
    return entry;
  }

  private static String why(Optional<Checkpoint> child) {
    if (child.isEmpty()) {
      return "its Checkpoint was deleted";
    }
    CheckpointStatus s = child.get().getStatus();
    return s == null || s.getMessage() == null ? "Failed" : s.getMessage();
  }
}
