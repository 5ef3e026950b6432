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
    List<String> failed = new ArrayList<>();
    List<Instant> moments = new ArrayList<>();
    long size = 0;
    int completed = 0;
    for (int i = 0; i < pods.size(); i++) {
      WorkloadPodCheckpoint entry = pods.get(i);
      Optional<CheckpointStatus> child = children.get(i).map(Checkpoint::getStatus);
      CheckpointPhase phase =
          children.get(i).isEmpty()
              ? CheckpointPhase.Failed
              : child.map(CheckpointStatus::getPhase).orElse(CheckpointPhase.Pending);
      entry.setPhase(phase);
      child.ifPresent(
          c -> {
            entry.setNodeName(c.getNodeName());
            entry.setPath(c.getPath());
            entry.setCheckpointTime(c.getCheckpointTime());
          });
      StatusFactory.parse(entry.getCheckpointTime()).ifPresent(moments::add);
      if (phase == CheckpointPhase.Completed) {
        completed++;
        size += child.map(CheckpointStatus::getSize).orElse(0L);
      } else if (phase == CheckpointPhase.Failed) {
        failed.add(entry.getPod() + " (" + why(children.get(i)) + ")");
      }
    }
    status.setSize(size);
    status.setDisplaySize(ByteSizes.display(size));
    Optional<Duration> spread = Spread.of(moments);
    status.setSpread(spread.map(Spread::display).orElse(null));
    status.setSpreadMillis(spread.map(Duration::toMillis).orElse(null));
    int running = pods.size() - completed - failed.size();
    if (running > 0) {
      status.setPhase(CheckpointPhase.Checkpointing);
      status.setMessage(
          completed
              + " of "
              + pods.size()
              + " pods' checkpoints completed, "
              + running
              + " running");
      factory.set(status, Reasons.READY, false, Reasons.IN_PROGRESS, status.getMessage());
    } else if (failed.isEmpty()) {
      status.setPhase(CheckpointPhase.Completed);
      status.setCompletionTime(factory.timestamp());
      status.setMessage(
          "checkpoints of "
              + pods.size()
              + " pods of "
              + status.getTarget()
              + " completed, taken within "
              + status.getSpread()
              + " ("
              + status.getDisplaySize()
              + ")");
      factory.set(status, Reasons.READY, true, Reasons.COMPLETED, status.getMessage());
    } else {
      failed(
          status,
          PODS_FAILED,
          "the checkpoints of "
              + failed.size()
              + " of "
              + pods.size()
              + " pods failed: "
              + String.join(", ", failed));
    }
    return status;
  }

  private static String why(Optional<Checkpoint> child) {
    if (child.isEmpty()) {
      return "its Checkpoint was deleted";
    }
    CheckpointStatus s = child.get().getStatus();
    return s == null || s.getMessage() == null ? "Failed" : s.getMessage();
  }
}
