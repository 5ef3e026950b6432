package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.DeletionPolicy;
import dev.stasis.controller.agent.AgentException;
import dev.stasis.controller.agent.NodeAgents;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.storage.CatalogException;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StorageUnavailableException;
import dev.stasis.controller.storage.Storages;
import dev.stasis.controller.util.Durations;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that happens to a Checkpoint after it ends: the pod is deleted when {@code
 * leaveRunning: false} (a migration), the resource itself when its {@code ttl} has passed since
 * completion; and when the resource is deleted (the finalizer), its job is cancelled and, with
 * {@code deletionPolicy: Delete}, its objects are removed from storage. A Checkpoint a GitOps tool
 * tracks ({@link GitOpsTracking}) is not deleted on ttl expiry, which self-heal would undo by
 * creating it again (a new checkpoint each time): it expires in place, its objects removed as its
 * deletionPolicy says and the condition Expired=True (reason TtlExpired) set.
 */
final class CheckpointEndOfLife {
  static final String POD_DELETED = "PodDeleted";
  static final String EXPIRED = "Expired";
  static final String TTL_EXPIRED = "TtlExpired";
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointEndOfLife.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final NodeAgents agents;
  private final Storages storages;
  private final CheckpointStatuses statuses;
  private final Clock clock;

  CheckpointEndOfLife(
      KubernetesClient client,
      EventRecorder events,
      NodeAgents agents,
      Storages storages,
      CheckpointStatuses statuses,
      Clock clock) {
    this.client = client;
    this.events = events;
    this.agents = agents;
    this.storages = storages;
    this.statuses = statuses;
    this.clock = clock;
  }

  /** Whether the pod still has to be deleted (Completed, leaveRunning false, not done yet). */
  boolean podDeletionDue(Checkpoint checkpoint, CheckpointStatus status) {
    return status.getPhase() == CheckpointPhase.Completed
        && checkpoint.getSpec().getPodName() != null // a workload's pods: their own Checkpoints
        && Boolean.FALSE.equals(checkpoint.getSpec().getLeaveRunning())
        && !CheckpointAnnotations.isImported(checkpoint)
        && status.condition(POD_DELETED).isEmpty();
  }

  /** Deletes the checkpointed pod and records it; returns the status to write. */
  CheckpointStatus deletePod(Checkpoint checkpoint, CheckpointStatus status) {
    String ns = checkpoint.getMetadata().getNamespace();
    String name = checkpoint.getSpec().getPodName();
    Pod pod = client.pods().inNamespace(ns).withName(name).get();
    String message;
    if (pod != null) {
      client.pods().inNamespace(ns).withName(name).delete();
      message = "deleted pod " + name + " after the checkpoint (leaveRunning: false)";
      events.normal(checkpoint, "PodDeleted", "DeletePod", message);
    } else {
      message = "pod " + name + " was already gone";
    }
    return statuses.podDeleted(status, message);
  }

  /** How long until the ttl expires (zero or negative: now); empty without ttl or completion. */
  Optional<Duration> ttlRemaining(Checkpoint checkpoint, CheckpointStatus status) {
    String ttl = checkpoint.getSpec().getTtl();
    if (ttl == null
        || ttl.isBlank()
        || status.getPhase() == null
        || !status.getPhase().isFinal()
        || expiredInPlace(status)) {
      return Optional.empty();
    }
    Optional<Instant> done = StatusFactory.parse(status.getCompletionTime());
    if (done.isEmpty()) {
      return Optional.empty();
    }
    Instant expiry = done.get().plus(Durations.parse(ttl));
    return Optional.of(Duration.between(clock.instant(), expiry));
  }

  /** When to look at an ended Checkpoint again: for the pod deletion, or when the ttl expires. */
  Optional<Duration> nextLook(Checkpoint checkpoint, CheckpointStatus status) {
    if (podDeletionDue(checkpoint, status)) {
      return Optional.of(Duration.ZERO.plusMillis(1));
    }
    return ttlRemaining(checkpoint, status).map(d -> d.isNegative() ? Duration.ofMillis(1) : d);
  }

  /** Whether the ttl has passed on a Checkpoint that stays (see the class comment). */
  static boolean expiredInPlace(CheckpointStatus status) {
    return status
        .condition(EXPIRED)
        .map(c -> StatusFactory.TRUE.equals(c.getStatus()))
        .orElse(false);
  }

  /**
   * The ttl has passed on a Checkpoint a GitOps tool tracks: removes its objects as its
   * deletionPolicy says and returns the status that records it; empty when the storage cannot be
   * reached yet (tried again).
   */
  Optional<CheckpointStatus> expireInPlace(
      Checkpoint checkpoint, CheckpointStatus status, String trackedBy) {
    if (!deleteObjects(checkpoint, status)) {
      return Optional.empty();
    }
    boolean deleted = objectsToDelete(checkpoint, status);
    String message =
        "ttl "
            + checkpoint.getSpec().getTtl()
            + " passed since completion; "
            + (deleted
                ? "its objects were removed (deletionPolicy Delete)"
                : "its objects are kept (deletionPolicy "
                    + checkpoint.getSpec().getDeletionPolicy()
                    + ")")
            + "; the Checkpoint stays because a GitOps tool tracks it ("
            + trackedBy
            + "): remove it from Git to delete it";
    LOG.info("{}", message);
    events.normal(checkpoint, TTL_EXPIRED, "Expire", message);
    return Optional.of(statuses.expired(status, message));
  }

  /** The ttl has passed: deletes the Checkpoint. */
  void expire(Checkpoint checkpoint) {
    LOG.info("ttl {} expired; deleting the Checkpoint", checkpoint.getSpec().getTtl());
    events.normal(
        checkpoint,
        "Expired",
        "Delete",
        "ttl " + checkpoint.getSpec().getTtl() + " passed since completion; deleting");
    client.resource(checkpoint).delete();
  }

  /**
   * The Checkpoint is being deleted: cancels its job if it runs, and with deletionPolicy Delete
   * removes its objects from storage. False when the storage cannot be reached yet: the finalizer
   * stays and this is tried again.
   */
  boolean release(Checkpoint checkpoint) {
    CheckpointStatus status = checkpoint.getStatus();
    if (status == null) {
      return true;
    }
    if (CheckpointStart.started(status) && status.getNodeName() != null) {
      cancelJob(checkpoint, status.getNodeName());
    }
    return expiredInPlace(status) || deleteObjects(checkpoint, status);
  }

  /** Whether deletionPolicy Delete has objects to remove. */
  private static boolean objectsToDelete(Checkpoint checkpoint, CheckpointStatus status) {
    return checkpoint.getSpec().getDeletionPolicy() == DeletionPolicy.Delete
        && status.getPath() != null
        && status.getPhase() != CheckpointPhase.Pending;
  }

  /** With deletionPolicy Delete, removes the objects; false when the storage cannot be reached. */
  private boolean deleteObjects(Checkpoint checkpoint, CheckpointStatus status) {
    if (!objectsToDelete(checkpoint, status)) {
      return true;
    }
    try {
      storages.catalog().delete(locationOf(status), status.getPath());
      LOG.info("deletionPolicy Delete: removed {}", status.getPath());
      events.normal(
          checkpoint,
          "ObjectsDeleted",
          "Delete",
          "deletionPolicy Delete: removed " + status.getPath());
      return true;
    } catch (CatalogException | StorageUnavailableException e) {
      LOG.warn("cannot delete {} yet: {}", status.getPath(), e.getMessage());
      events.warning(
          checkpoint,
          "DeleteFailed",
          "Delete",
          "cannot delete " + status.getPath() + " (will retry): " + e.getMessage());
      return false;
    }
  }

  private void cancelJob(Checkpoint checkpoint, String node) {
    try {
      agents.cancel(node, checkpoint.getMetadata().getUid());
    } catch (AgentException e) {
      LOG.warn("could not cancel the job on node {}: {}", node, e.getMessage());
    }
  }

  private StorageLocation locationOf(CheckpointStatus status) throws StorageUnavailableException {
    List<CheckpointStorage> all = storages.all();
    if (status.getStorage() != null) {
      for (CheckpointStorage s : all) {
        if (status.getStorage().equals(s.getMetadata().getName())) {
          return storages.resolver().resolve(s);
        }
      }
    }
    return storages.resolver().forCheckpointUri(status.getPath(), all);
  }
}
