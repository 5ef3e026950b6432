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
    PodOutcomes outcomes = new PodOutcomes(pods.size());
    boolean downloading = false;
    for (int i = 0; i < pods.size(); i++) {
      WorkloadPodRestore entry = update(pods.get(i), children.get(i));
      switch (entry.getPhase()) {
        case Running -> outcomes.succeeded();
        case Failed ->
            outcomes.failed(
                entry.getPod(),
                children
                    .get(i)
                    .map(r -> r.getStatus().getMessage())
                    .orElse("its Restore was deleted"));
        case Pending, Downloading -> downloading = true;
        case Restoring -> {}
      }
    }
    if (outcomes.going() > 0) {
      status.setPhase(downloading ? RestorePhase.Downloading : RestorePhase.Restoring);
      status.setMessage(
          outcomes.done()
              + " of "
              + outcomes.total()
              + " pods of "
              + status.getCheckpoint()
              + " running");
      factory.set(status, Reasons.READY, false, Reasons.IN_PROGRESS, status.getMessage());
    } else if (outcomes.allDone()) {
      status.setPhase(RestorePhase.Running);
      status.setCompletionTime(factory.timestamp());
      status.setMessage(
          "all "
              + outcomes.total()
              + " pods of "
              + status.getCheckpoint()
              + " restored and running");
      factory.set(status, Reasons.POD_RUNNING, true, Reasons.RUNNING, status.getMessage());
      factory.set(status, Reasons.READY, true, Reasons.RUNNING, status.getMessage());
    } else {
      failed(status, WorkloadCheckpointStatuses.PODS_FAILED, outcomes.failures("restores"));
    }
    return status;
  }

  /** One pod's entry as its Restore says (a deleted one: Failed). */
  private static WorkloadPodRestore update(WorkloadPodRestore entry, Optional<Restore> child) {
    Optional<RestoreStatus> status = child.map(Restore::getStatus);
    entry.setPhase(
        child.isEmpty()
            ? RestorePhase.Failed
            : status.map(RestoreStatus::getPhase).orElse(RestorePhase.Pending));
    status.ifPresent(
        r -> {
          entry.setRestoredPod(r.getRestoredPod());
          entry.setNodeName(r.getNodeName());
        });
    return entry;
  }
}
