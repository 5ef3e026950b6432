package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.controller.Services;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.util.Durations;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What happens after a Checkpoint ends: the pod is deleted when {@code leaveRunning: false} (a
 * migration), and the resource itself when its {@code ttl} has passed since completion.
 */
final class CheckpointRetention {
  static final String POD_DELETED = "PodDeleted";

  private final Services services;

  CheckpointRetention(Services services) {
    this.services = services;
  }

  /** Whether the pod still has to be deleted (Completed, leaveRunning false, not done yet). */
  boolean podDeletionDue(Checkpoint checkpoint, CheckpointStatus status) {
    return status.getPhase() == CheckpointPhase.Completed
        && Boolean.FALSE.equals(checkpoint.getSpec().getLeaveRunning())
        && !isImported(checkpoint)
        && StatusFactory.find(status.getConditions(), POD_DELETED).isEmpty();
  }

  /** Deletes the checkpointed pod and records it; returns the status to write. */
  CheckpointStatus deletePod(Checkpoint checkpoint, CheckpointStatus status) {
    String ns = checkpoint.getMetadata().getNamespace();
    String name = checkpoint.getSpec().getPodName();
    Pod pod = services.client().pods().inNamespace(ns).withName(name).get();
    String message;
    if (pod != null) {
      services.client().pods().inNamespace(ns).withName(name).delete();
      message = "deleted pod " + name + " after the checkpoint (leaveRunning: false)";
      services.events().normal(checkpoint, "PodDeleted", "DeletePod", message);
    } else {
      message = "pod " + name + " was already gone";
    }
    status.setConditions(
        services
            .status()
            .set(
                status.getConditions(),
                POD_DELETED,
                true,
                Reasons.COMPLETED,
                message,
                checkpoint.getMetadata().getGeneration()));
    return status;
  }

  /** How long until the ttl expires (zero or negative: now); empty without ttl or completion. */
  Optional<Duration> ttlRemaining(Checkpoint checkpoint, CheckpointStatus status) {
    String ttl = checkpoint.getSpec().getTtl();
    if (ttl == null || ttl.isBlank() || status.getPhase() == null || !status.getPhase().isFinal()) {
      return Optional.empty();
    }
    Optional<Instant> done = StatusFactory.parse(status.getCompletionTime());
    if (done.isEmpty()) {
      return Optional.empty();
    }
    Instant expiry = done.get().plus(Durations.parse(ttl));
    return Optional.of(Duration.between(services.status().clock().instant(), expiry));
  }

  static boolean isImported(Checkpoint checkpoint) {
    var labels = checkpoint.getMetadata().getLabels();
    var annotations = checkpoint.getMetadata().getAnnotations();
    return labels != null
        && "true".equals(labels.get(dev.stasis.api.Stasis.LABEL_IMPORTED))
        && annotations != null
        && annotations.containsKey(CheckpointReconciler.ANNOTATION_IMPORTED_PATH);
  }
}
