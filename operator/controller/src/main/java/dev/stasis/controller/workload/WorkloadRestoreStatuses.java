package dev.stasis.controller.workload;

import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.api.v1alpha1.WorkloadPodCheckpoint;
import dev.stasis.api.v1alpha1.WorkloadPodRestore;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every status of a workload Restore: the workload checkpoint it restores, its pods, and the phase
 * their Restores add up to (Running when all run, Failed with PodsFailed when all ended and some
 * failed, else Downloading while any is Pending or Downloading, else Restoring).
 */
final class WorkloadRestoreStatuses {
  private final StatusFactory factory;

  WorkloadRestoreStatuses(StatusFactory factory) {
    this.factory = factory;
  }

  RestoreStatus failed(RestoreStatus status, String reason, String message) {
    status.setPhase(RestorePhase.Failed);
    factory.failed(status, reason, message);
    return status;
  }

  /** The workload checkpoint has not completed yet. */
  RestoreStatus waiting(RestoreStatus status, String checkpoint, String message) {
    status.setCheckpoint(checkpoint);
    status.setMessage(message);
    factory.set(status, Reasons.SOURCE_RESOLVED, false, Reasons.PENDING, message);
    return status;
  }

  /** One Restore per checkpointed pod, by name (not created yet). */
  RestoreStatus podsFound(
      RestoreStatus status,
      String checkpoint,
      List<WorkloadPodCheckpoint> pods,
      Map<String, String> restoreByPod) {
    status.setCheckpoint(checkpoint);
    List<WorkloadPodRestore> entries = new ArrayList<>();
    for (WorkloadPodCheckpoint p : pods) {
      entries.add(
          new WorkloadPodRestore(
              p.getPod(),
              p.getCheckpoint(),
              restoreByPod.get(p.getPod()),
              null,
              null,
              RestorePhase.Pending));
    }
    status.setPods(entries);
    factory.set(
        status,
        Reasons.SOURCE_RESOLVED,
        true,
        Reasons.COMPLETED,
        "workload checkpoint " + checkpoint + " of " + pods.size() + " pods");
    return status;
  }

  /**
   * What the pods' Restores say. {@code children} holds, for each entry of {@code status.pods}, its
   * Restore (absent: deleted, which counts as failed).
   */
  RestoreStatus aggregate(RestoreStatus status, List<Optional<Restore>> children) {
    List<WorkloadPodRestore> pods = status.getPods();
    List<String> failed = new ArrayList<>();
    int running = 0;
    boolean downloading = false;
    for (int i = 0; i < pods.size(); i++) {
      WorkloadPodRestore entry = pods.get(i);
      Optional<RestoreStatus> child = children.get(i).map(Restore::getStatus);
      RestorePhase phase =
          children.get(i).isEmpty()
              ? RestorePhase.Failed
              : child.map(RestoreStatus::getPhase).orElse(RestorePhase.Pending);
      entry.setPhase(phase);
      child.ifPresent(
          c -> {
            entry.setRestoredPod(c.getRestoredPod());
            entry.setNodeName(c.getNodeName());
          });
      switch (phase) {
        case Running -> running++;
        case Failed ->
            failed.add(
                entry.getPod()
                    + " ("
                    + child.map(RestoreStatus::getMessage).orElse("its Restore was deleted")
                    + ")");
        case Pending, Downloading -> downloading = true;
        case Restoring -> {}
      }
    }
    int unfinished = pods.size() - running - failed.size();
    if (unfinished > 0) {
      status.setPhase(downloading ? RestorePhase.Downloading : RestorePhase.Restoring);
      status.setMessage(
          running + " of " + pods.size() + " pods of " + status.getCheckpoint() + " running");
      factory.set(status, Reasons.READY, false, Reasons.IN_PROGRESS, status.getMessage());
    } else if (failed.isEmpty()) {
      status.setPhase(RestorePhase.Running);
      status.setCompletionTime(factory.timestamp());
      status.setMessage(
          "all " + pods.size() + " pods of " + status.getCheckpoint() + " restored and running");
      factory.set(status, Reasons.POD_RUNNING, true, Reasons.RUNNING, status.getMessage());
      factory.set(status, Reasons.READY, true, Reasons.RUNNING, status.getMessage());
    } else {
      failed(
          status,
          WorkloadCheckpointStatuses.PODS_FAILED,
          "the restores of "
              + failed.size()
              + " of "
              + pods.size()
              + " pods failed: "
              + String.join(", ", failed));
    }
    return status;
  }
}
