package dev.stasis.controller.workload;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.api.v1alpha1.RestoreSpec;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.controller.checkpoint.CheckpointAnnotations;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.util.LabelSelectors;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a Restore's source is a workload checkpoint, and which: {@code checkpointName} naming a
 * Checkpoint without podName; or {@code latestOf.selector} whose newest Completed Checkpoint
 * resource of a pod carrying the labels is one pod's Checkpoint of a Completed workload checkpoint.
 * Decided while the Restore is Pending; afterwards its {@code status.pods} says so.
 */
final class WorkloadRestoreSource {
  private final KubernetesClient client;

  WorkloadRestoreSource(KubernetesClient client) {
    this.client = client;
  }

  /** The workload Checkpoint's name, or empty for a restore of one pod. */
  Optional<String> of(Restore restore, RestoreStatus status) {
    if (status.getPods() != null) {
      return Optional.ofNullable(status.getCheckpoint());
    }
    if (status.getPhase() != RestorePhase.Pending) {
      return Optional.empty();
    }
    RestoreSpec spec = restore.getSpec();
    String ns = restore.getMetadata().getNamespace();
    if (spec.getCheckpointName() != null) {
      return Optional.ofNullable(checkpoint(ns, spec.getCheckpointName()))
          .filter(WorkloadCheckpoint::targets)
          .map(c -> c.getMetadata().getName());
    }
    if (spec.getLatestOf() != null && spec.getLatestOf().getSelector() != null) {
      return newestOf(ns, spec.getLatestOf().getSelector())
          .flatMap(WorkloadRestoreSource::parentName)
          .filter(parent -> completed(checkpoint(ns, parent)));
    }
    return Optional.empty();
  }

  private Optional<Checkpoint> newestOf(String ns, Map<String, String> selector) {
    return client.resources(Checkpoint.class).inNamespace(ns).list().getItems().stream()
        .filter(c -> completed(c) && c.getStatus().getPath() != null)
        .filter(c -> LabelSelectors.matches(CheckpointAnnotations.podLabels(c), selector))
        .max(Comparator.comparing(WorkloadRestoreSource::completion));
  }

  private static Instant completion(Checkpoint c) {
    return StatusFactory.parse(c.getStatus().getCompletionTime()).orElse(Instant.EPOCH);
  }

  /** The workload Checkpoint that owns a pod's Checkpoint. */
  private static Optional<String> parentName(Checkpoint child) {
    if (child.getMetadata().getLabels() == null
        || !child.getMetadata().getLabels().containsKey(Stasis.LABEL_WORKLOAD_CHECKPOINT)
        || child.getMetadata().getOwnerReferences() == null) {
      return Optional.empty();
    }
    return child.getMetadata().getOwnerReferences().stream()
        .filter(o -> "Checkpoint".equals(o.getKind()) && Boolean.TRUE.equals(o.getController()))
        .map(OwnerReference::getName)
        .findFirst();
  }

  private Checkpoint checkpoint(String ns, String name) {
    return client.resources(Checkpoint.class).inNamespace(ns).withName(name).get();
  }

  private static boolean completed(Checkpoint c) {
    return c != null
        && c.getStatus() != null
        && c.getStatus().getPhase() == CheckpointPhase.Completed;
  }
}
