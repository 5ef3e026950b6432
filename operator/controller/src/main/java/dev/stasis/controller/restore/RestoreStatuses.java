package dev.stasis.controller.restore;

import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.api.v1alpha1.RestoredImage;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.ReconcileError;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.storage.StoredCheckpoint;
import java.util.List;

/**
 * The one place a Restore's status is written: each method is one step of the state machine and
 * sets what that step means (phase, message, conditions, result), with the times from the {@link
 * StatusFactory}'s clock.
 */
final class RestoreStatuses {
  private final StatusFactory factory;

  RestoreStatuses(StatusFactory factory) {
    this.factory = factory;
  }

  /** A deep copy of the current status (never null, phase Pending when unset). */
  RestoreStatus current(Restore restore) {
    RestoreStatus status =
        factory.copyStarted(
            restore.getStatus(), RestoreStatus::new, restore.getMetadata().getGeneration());
    if (status.getPhase() == null) {
      status.setPhase(RestorePhase.Pending);
    }
    return status;
  }

  /** Ends a restore Failed with a reason on the Ready condition and a message for people. */
  RestoreStatus failed(RestoreStatus status, String reason, String message) {
    status.setPhase(RestorePhase.Failed);
    factory.failed(status, reason, message);
    return status;
  }

  /** An error JOSDK retries: shown, the phase unchanged. */
  RestoreStatus retrying(RestoreStatus status, ReconcileError error) {
    factory.retrying(status, error);
    return status;
  }

  /** The source is not there yet (its Checkpoint runs): says what it waits for. */
  RestoreStatus waitingForSource(RestoreStatus status, String message) {
    status.setMessage(message);
    factory.set(status, Reasons.SOURCE_RESOLVED, false, Reasons.PENDING, message);
    return status;
  }

  RestoreStatus sourceResolved(RestoreStatus status, RestoreSource source) {
    StoredCheckpoint manifest = source.manifest();
    status.setCheckpoint(source.checkpointName());
    status.setPath(manifest.uri());
    factory.set(
        status,
        Reasons.SOURCE_RESOLVED,
        true,
        Reasons.COMPLETED,
        "checkpoint of pod "
            + manifest.namespace()
            + "/"
            + manifest.podName()
            + " at "
            + manifest.uri());
    return status;
  }

  RestoreStatus onNode(RestoreStatus status, String nodeName) {
    status.setNodeName(nodeName);
    return status;
  }

  /** A queued or running job: Downloading, or Restoring once it builds and pushes the images. */
  RestoreStatus jobRunning(RestoreStatus status, AgentJob job) {
    boolean building = "BuildingImage".equals(job.phase()) || "Pushing".equals(job.phase());
    status.setPhase(building ? RestorePhase.Restoring : RestorePhase.Downloading);
    status.setMessage(
        (building
                ? "building and pushing checkpoint images on node "
                : "downloading the checkpoint on node ")
            + status.getNodeName());
    factory.set(status, Reasons.READY, false, Reasons.IN_PROGRESS, status.getMessage());
    return status;
  }

  /** The job succeeded: the images it pushed. */
  RestoreStatus imagesPushed(RestoreStatus status, AgentJob job) {
    List<RestoredImage> images =
        job.images().stream()
            .map(i -> new RestoredImage(i.container(), i.reference(), i.digest()))
            .toList();
    status.setImages(images);
    factory.set(
        status,
        Reasons.IMAGES_PUSHED,
        true,
        Reasons.COMPLETED,
        images.size() + " checkpoint image(s) pushed");
    return status;
  }

  RestoreStatus podCreated(RestoreStatus status, String podName) {
    status.setRestoredPod(podName);
    status.setPhase(RestorePhase.Restoring);
    status.setMessage("created pod " + podName + " on node " + status.getNodeName());
    return status;
  }

  /** The restored pod is not running yet. */
  RestoreStatus waitingForPod(RestoreStatus status, String podPhase) {
    status.setMessage(
        "waiting for pod "
            + status.getRestoredPod()
            + " to run (now "
            + (podPhase == null ? "Pending" : podPhase)
            + ")");
    return status;
  }

  RestoreStatus podRunning(RestoreStatus status) {
    status.setPhase(RestorePhase.Running);
    status.setCompletionTime(factory.timestamp());
    status.setMessage(
        "pod "
            + status.getRestoredPod()
            + " restored from "
            + status.getPath()
            + " runs on node "
            + status.getNodeName());
    factory.set(status, Reasons.POD_RUNNING, true, Reasons.RUNNING, status.getMessage());
    factory.set(status, Reasons.READY, true, Reasons.RUNNING, status.getMessage());
    return status;
  }
}
