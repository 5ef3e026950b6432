package dev.stasis.controller.restore;

import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.ReconcileStep;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/**
 * Follows the restored pod: Running once it runs (or has run to completion), Failed when it fails
 * or is deleted, else polled again.
 */
final class RestoredPodFollower {
  private final KubernetesClient client;
  private final Duration pollInterval;
  private final RestoreStatuses statuses;

  RestoredPodFollower(KubernetesClient client, Duration pollInterval, RestoreStatuses statuses) {
    this.client = client;
    this.pollInterval = pollInterval;
    this.statuses = statuses;
  }

  ReconcileStep<RestoreStatus> follow(Restore restore, RestoreStatus status) throws RestoreFailure {
    Pod pod =
        client
            .pods()
            .inNamespace(restore.getMetadata().getNamespace())
            .withName(status.getRestoredPod())
            .get();
    if (pod == null) {
      throw new RestoreFailure(
          Reasons.POD_GONE, "the restored pod " + status.getRestoredPod() + " was deleted");
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Running".equals(phase) || "Succeeded".equals(phase)) {
      return ReconcileStep.done(statuses.podRunning(status));
    }
    if ("Failed".equals(phase)) {
      String why =
          pod.getStatus().getMessage() != null
              ? pod.getStatus().getMessage()
              : pod.getStatus().getReason();
      throw new RestoreFailure(
          Reasons.POD_FAILED, "the restored pod " + status.getRestoredPod() + " failed: " + why);
    }
    return ReconcileStep.again(statuses.waitingForPod(status, phase), pollInterval);
  }
}
