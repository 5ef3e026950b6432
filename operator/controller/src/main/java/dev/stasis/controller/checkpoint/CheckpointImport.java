package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.controller.Services;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.storage.CatalogException;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StorageUnavailableException;
import dev.stasis.controller.storage.StoredCheckpoint;
import dev.stasis.controller.util.ByteSizes;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fills in the status of a Checkpoint that the storage sync created for a checkpoint found in
 * storage: read its manifest and show it Completed, so that it can be restored here.
 */
final class CheckpointImport {
  private final Services services;

  CheckpointImport(Services services) {
    this.services = services;
  }

  CheckpointStep run(Checkpoint checkpoint, CheckpointStatus status) {
    var factory = services.status();
    Long generation = checkpoint.getMetadata().getGeneration();
    String path =
        checkpoint
            .getMetadata()
            .getAnnotations()
            .get(CheckpointReconciler.ANNOTATION_IMPORTED_PATH);
    String storageName = checkpoint.getSpec().getStorage();
    Optional<StoredCheckpoint> stored;
    try {
      CheckpointStorage storage =
          storageName == null
              ? null
              : services.client().resources(CheckpointStorage.class).withName(storageName).get();
      StorageLocation location =
          storage != null
              ? services.resolver().resolve(storage)
              : services.resolver().forCheckpointUri(path, List.of());
      stored = services.catalog().read(location, path);
    } catch (StorageUnavailableException e) {
      return CheckpointStep.done(
          CheckpointStatuses.fail(
              status, factory, Reasons.STORAGE_UNAVAILABLE, e.getMessage(), generation));
    } catch (CatalogException e) {
      return CheckpointStep.done(
          CheckpointStatuses.fail(
              status,
              factory,
              Reasons.MANIFEST_UNREADABLE,
              "cannot read " + path + ": " + e.getMessage(),
              generation));
    }
    if (stored.isEmpty()) {
      return CheckpointStep.done(
          CheckpointStatuses.fail(
              status,
              factory,
              Reasons.CHECKPOINT_NOT_FOUND,
              "no manifest.json under " + path + " any more",
              generation));
    }
    StoredCheckpoint sc = stored.get();
    recordPodLabels(checkpoint, sc);
    long archive = CheckpointStatuses.archiveBytes(sc.containers());
    String created =
        sc.createdAt() == null
            ? factory.timestamp()
            : DateTimeFormatter.ISO_INSTANT.format(sc.createdAt());
    status.setPhase(CheckpointPhase.Completed);
    status.setNodeName(sc.nodeName());
    status.setStorage(storageName == null ? path : storageName);
    status.setStorageReason("imported from storage " + (storageName == null ? path : storageName));
    status.setPath(sc.uri());
    status.setContainers(CheckpointStatuses.containers(sc.containers()));
    status.setSize(sc.storedBytes());
    status.setDisplaySize(ByteSizes.display(sc.storedBytes()));
    status.setProgress(CheckpointStatuses.progress(archive, archive));
    status.setStartTime(created);
    status.setCompletionTime(created);
    status.setMessage("imported from " + sc.uri() + " (" + status.getDisplaySize() + ")");
    status.setConditions(
        factory.set(
            status.getConditions(),
            Reasons.READY,
            true,
            Reasons.IMPORTED,
            status.getMessage(),
            generation));
    return CheckpointStep.done(status);
  }

  /**
   * Puts the pod labels the manifest keeps into {@link CheckpointReconciler#ANNOTATION_POD_LABELS}
   * when the Checkpoint does not have them (the storage sync sets them when it creates it; this
   * covers an imported Checkpoint created otherwise), so that latestOf.selector finds it.
   */
  private void recordPodLabels(Checkpoint checkpoint, StoredCheckpoint sc) {
    if (sc.podLabels().isEmpty()) {
      return;
    }
    String value = CheckpointReconciler.podLabelsAnnotation(sc.podLabels());
    var annotations = checkpoint.getMetadata().getAnnotations();
    if (annotations != null
        && value.equals(annotations.get(CheckpointReconciler.ANNOTATION_POD_LABELS))) {
      return;
    }
    services
        .client()
        .resources(Checkpoint.class)
        .inNamespace(checkpoint.getMetadata().getNamespace())
        .withName(checkpoint.getMetadata().getName())
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(
                Map.of(
                    "metadata",
                    Map.of(
                        "annotations",
                        Map.of(CheckpointReconciler.ANNOTATION_POD_LABELS, value)))));
  }
}
