package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.ReconcileStep;
import dev.stasis.controller.storage.CatalogException;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StorageUnavailableException;
import dev.stasis.controller.storage.Storages;
import dev.stasis.controller.storage.StoredCheckpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fills in the status of a Checkpoint that the storage sync created for a checkpoint found in
 * storage: read its manifest and show it Completed, so that it can be restored here.
 */
final class CheckpointImport {
  private final KubernetesClient client;
  private final Storages storages;
  private final CheckpointStatuses statuses;

  CheckpointImport(KubernetesClient client, Storages storages, CheckpointStatuses statuses) {
    this.client = client;
    this.storages = storages;
    this.statuses = statuses;
  }

  ReconcileStep<CheckpointStatus> run(Checkpoint checkpoint, CheckpointStatus status) {
    String path =
        checkpoint.getMetadata().getAnnotations().get(CheckpointAnnotations.IMPORTED_PATH);
    String storageName = checkpoint.getSpec().getStorage();
    Optional<StoredCheckpoint> stored;
    try {
      CheckpointStorage storage = storageName == null ? null : storages.named(storageName);
      StorageLocation location =
          storage != null
              ? storages.resolver().resolve(storage)
              : storages.resolver().forCheckpointUri(path, List.of());
      stored = storages.catalog().read(location, path);
    } catch (StorageUnavailableException e) {
      return fail(status, Reasons.STORAGE_UNAVAILABLE, e.getMessage());
    } catch (CatalogException e) {
      return fail(
          status, Reasons.MANIFEST_UNREADABLE, "cannot read " + path + ": " + e.getMessage());
    }
    if (stored.isEmpty()) {
      return fail(
          status, Reasons.CHECKPOINT_NOT_FOUND, "no manifest.json under " + path + " any more");
    }
    recordPodLabels(checkpoint, stored.get());
    return ReconcileStep.done(
        statuses.imported(status, stored.get(), storageName == null ? path : storageName));
  }

  private ReconcileStep<CheckpointStatus> fail(
      CheckpointStatus status, String reason, String message) {
    return ReconcileStep.done(statuses.failed(status, reason, message));
  }

  /**
   * Puts the pod labels the manifest keeps into {@link CheckpointAnnotations#POD_LABELS} when the
   * Checkpoint does not have them (the storage sync sets them when it creates it; this covers an
   * imported Checkpoint created otherwise), so that latestOf.selector finds it.
   */
  private void recordPodLabels(Checkpoint checkpoint, StoredCheckpoint sc) {
    if (sc.podLabels().isEmpty()) {
      return;
    }
    String value = CheckpointAnnotations.podLabelsValue(sc.podLabels());
    var annotations = checkpoint.getMetadata().getAnnotations();
    if (annotations != null && value.equals(annotations.get(CheckpointAnnotations.POD_LABELS))) {
      return;
    }
    CheckpointAnnotations.patchMetadata(
        client, checkpoint, Map.of("annotations", Map.of(CheckpointAnnotations.POD_LABELS, value)));
  }
}
