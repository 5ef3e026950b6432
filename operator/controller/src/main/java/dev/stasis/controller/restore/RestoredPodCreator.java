package dev.stasis.controller.restore;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.controller.checkpoint.CheckpointAnnotations;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.storage.CatalogException;
import dev.stasis.controller.storage.StorageUnavailableException;
import dev.stasis.controller.storage.Storages;
import dev.stasis.controller.storage.StoredCheckpoint;
import dev.stasis.controller.util.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Optional;

/**
 * Creates the restored Pod once the checkpoint images are pushed: reads the saved pod spec from the
 * manifest, names the pod (spec.podName; else the original name while it is free; else that name
 * with "-restored" and a suffix), builds it with {@link RestoredPodFactory} and creates it. A pod
 * this Restore already owns (a retried step, or a status write that did not land) is used as it is.
 */
final class RestoredPodCreator {
  private final KubernetesClient client;
  private final Storages storages;
  private final EventRecorder events;

  RestoredPodCreator(KubernetesClient client, Storages storages, EventRecorder events) {
    this.client = client;
    this.storages = storages;
    this.events = events;
  }

  Pod create(Restore restore, RestoreStatus status) throws RestoreFailure {
    String ns = restore.getMetadata().getNamespace();
    var pods = client.pods().inNamespace(ns);
    Optional<Pod> existing =
        pods
            .withLabel(Stasis.LABEL_RESTORE, Names.labelValue(restore.getMetadata().getName()))
            .list()
            .getItems()
            .stream()
            .filter(p -> ownedBy(p, restore))
            .findFirst();
    if (existing.isPresent()) {
      return existing.get();
    }
    StoredCheckpoint manifest = manifest(status.getPath());
    String name;
    if (restore.getSpec().getPodName() != null) {
      name = restore.getSpec().getPodName();
      if (pods.withName(name).get() != null) {
        throw new RestoreFailure(
            Reasons.POD_CREATE_FAILED, "pod " + ns + "/" + name + " (spec.podName) already exists");
      }
    } else if (pods.withName(manifest.podName()).get() == null) {
      name = manifest.podName();
    } else {
      name =
          Names.withSuffix(
              manifest.podName() + "-restored", Names.suffix(restore.getMetadata().getUid()), 253);
    }
    String restoredFrom =
        status.getCheckpoint() != null ? status.getCheckpoint() : manifest.checkpointName();
    Pod pod =
        RestoredPodFactory.build(
            restore,
            name,
            status.getNodeName(),
            manifest.podSpecJson(),
            originalLabels(ns, status.getCheckpoint(), manifest),
            manifest.podAnnotations(),
            status.getImages(),
            restoredFrom,
            status.getPath());
    try {
      Pod created = pods.resource(pod).create();
      events.normal(
          restore,
          "PodCreated",
          "CreatePod",
          "created pod " + name + " on node " + status.getNodeName());
      return created;
    } catch (KubernetesClientException e) {
      throw new RestoreFailure(
          Reasons.POD_CREATE_FAILED, "cannot create pod " + name + ": " + e.getMessage());
    }
  }

  private StoredCheckpoint manifest(String path) throws RestoreFailure {
    try {
      var location = storages.resolver().forCheckpointUri(path, storages.all());
      return storages
          .catalog()
          .read(location, path)
          .orElseThrow(
              () ->
                  new RestoreFailure(
                      Reasons.CHECKPOINT_NOT_FOUND, "no manifest.json at " + path + " any more"));
    } catch (StorageUnavailableException | CatalogException e) {
      throw new RestoreFailure(
          Reasons.STORAGE_UNAVAILABLE,
          "cannot read the manifest at " + path + ": " + e.getMessage());
    }
  }

  /**
   * The original pod's labels: the manifest's; for a manifest without them (written by an older
   * agent), those the Checkpoint resource recorded when the checkpoint started.
   */
  private Map<String, String> originalLabels(
      String ns, String checkpointName, StoredCheckpoint manifest) {
    if (!manifest.podLabels().isEmpty() || checkpointName == null) {
      return manifest.podLabels();
    }
    Checkpoint checkpoint =
        client.resources(Checkpoint.class).inNamespace(ns).withName(checkpointName).get();
    return checkpoint == null ? Map.of() : CheckpointAnnotations.podLabels(checkpoint);
  }

  private static boolean ownedBy(Pod pod, Restore restore) {
    return pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> restore.getMetadata().getUid().equals(o.getUid()));
  }
}
