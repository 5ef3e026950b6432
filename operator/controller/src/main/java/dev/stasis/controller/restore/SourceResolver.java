package dev.stasis.controller.restore;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.LatestOf;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestoreSpec;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.checkpoint.CheckpointAnnotations;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.storage.CatalogException;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StorageUnavailableException;
import dev.stasis.controller.storage.Storages;
import dev.stasis.controller.storage.StoredCheckpoint;
import dev.stasis.controller.util.LabelSelectors;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the checkpoint a Restore names: a Checkpoint resource ({@code checkpointName}), a directory
 * URI ({@code path}), or the newest Completed checkpoint of a pod or of the pods carrying some
 * labels ({@code latestOf}), looked up both in Checkpoint resources and in the storages' listings.
 */
final class SourceResolver {
  private static final Logger LOG = LoggerFactory.getLogger(SourceResolver.class);

  private final KubernetesClient client;
  private final Storages storages;

  SourceResolver(KubernetesClient client, Storages storages) {
    this.client = client;
    this.storages = storages;
  }

  RestoreSource resolve(Restore restore) throws RestoreFailure, RestoreWait {
    RestoreSpec spec = restore.getSpec();
    String ns = restore.getMetadata().getNamespace();
    int sources =
        (spec.getCheckpointName() != null ? 1 : 0)
            + (spec.getPath() != null ? 1 : 0)
            + (spec.getLatestOf() != null ? 1 : 0);
    if (sources != 1) {
      throw new RestoreFailure(
          Reasons.INVALID_SPEC,
          "set exactly one of spec.checkpointName, spec.path and spec.latestOf");
    }
    List<CheckpointStorage> all = storages.all();
    if (spec.getCheckpointName() != null) {
      Checkpoint checkpoint =
          client
              .resources(Checkpoint.class)
              .inNamespace(ns)
              .withName(spec.getCheckpointName())
              .get();
      if (checkpoint == null) {
        throw new RestoreFailure(
            Reasons.CHECKPOINT_NOT_FOUND,
            "Checkpoint " + ns + "/" + spec.getCheckpointName() + " does not exist");
      }
      return fromResource(checkpoint, all);
    }
    if (spec.getPath() != null) {
      return read(spec.getPath(), null, all);
    }
    return latest(ns, spec.getLatestOf(), all);
  }

  private RestoreSource fromResource(Checkpoint checkpoint, List<CheckpointStorage> all)
      throws RestoreFailure, RestoreWait {
    var status = checkpoint.getStatus();
    CheckpointPhase phase = status == null ? null : status.getPhase();
    if (phase == CheckpointPhase.Failed) {
      throw new RestoreFailure(
          Reasons.CHECKPOINT_NOT_COMPLETED,
          "Checkpoint " + checkpoint.getMetadata().getName() + " Failed: " + status.getMessage());
    }
    if (phase != CheckpointPhase.Completed || status.getPath() == null) {
      throw new RestoreWait(
          "waiting for Checkpoint "
              + checkpoint.getMetadata().getName()
              + " to complete (now "
              + (phase == null ? "Pending" : phase)
              + ")");
    }
    return read(
        status.getPath(), checkpoint.getMetadata().getName(), storageFor(status.getStorage(), all));
  }

  /** Puts the storage a Checkpoint names first, so its credentials are used for its path. */
  private static List<CheckpointStorage> storageFor(String name, List<CheckpointStorage> all) {
    List<CheckpointStorage> named =
        all.stream().filter(s -> s.getMetadata().getName().equals(name)).toList();
    return named.isEmpty() ? all : named;
  }

  private RestoreSource read(String path, String checkpointName, List<CheckpointStorage> all)
      throws RestoreFailure {
    StorageLocation location;
    try {
      location = storages.resolver().forCheckpointUri(path, all);
    } catch (StorageUnavailableException e) {
      throw new RestoreFailure(Reasons.STORAGE_UNAVAILABLE, e.getMessage());
    }
    Optional<StoredCheckpoint> manifest;
    try {
      manifest = storages.catalog().read(location, path);
    } catch (CatalogException e) {
      throw new RestoreFailure(
          Reasons.STORAGE_UNAVAILABLE, "cannot read " + path + ": " + e.getMessage());
    }
    if (manifest.isEmpty()) {
      throw new RestoreFailure(
          Reasons.CHECKPOINT_NOT_FOUND, "no checkpoint at " + path + " (no manifest.json there)");
    }
    return new RestoreSource(checkpointName, manifest.get(), location);
  }

  private RestoreSource latest(String ns, LatestOf latestOf, List<CheckpointStorage> all)
      throws RestoreFailure {
    String podName = latestOf.getPodName();
    Map<String, String> selector =
        latestOf.getSelector() == null ? Map.of() : latestOf.getSelector();
    if ((podName == null) == selector.isEmpty()) {
      throw new RestoreFailure(
          Reasons.INVALID_SPEC, "spec.latestOf: set exactly one of podName and selector");
    }
    record Candidate(
        Instant time, Checkpoint resource, StoredCheckpoint stored, StorageLocation location) {}
    List<Candidate> candidates = new ArrayList<>();
    for (Checkpoint c : client.resources(Checkpoint.class).inNamespace(ns).list().getItems()) {
      if (c.getStatus() == null
          || c.getStatus().getPhase() != CheckpointPhase.Completed
          || c.getStatus().getPath() == null) {
        continue;
      }
      boolean fits =
          podName != null
              ? podName.equals(c.getSpec().getPodName())
              : LabelSelectors.matches(CheckpointAnnotations.podLabels(c), selector);
      if (fits) {
        Instant t = StatusFactory.parse(c.getStatus().getCompletionTime()).orElse(Instant.EPOCH);
        candidates.add(new Candidate(t, c, null, null));
      }
    }
    for (CheckpointStorage storage : all) {
      if (storage.getStatus() != null
          && storage.getStatus().getPhase() == StoragePhase.Unavailable) {
        continue;
      }
      try {
        StorageLocation location = storages.resolver().resolve(storage);
        for (StoredCheckpoint sc : storages.catalog().list(location, ns)) {
          boolean fits =
              ns.equals(sc.namespace())
                  && (podName != null
                      ? podName.equals(sc.podName())
                      : LabelSelectors.matches(sc.podLabels(), selector));
          if (fits) {
            candidates.add(
                new Candidate(
                    sc.createdAt() == null ? Instant.EPOCH : sc.createdAt(), null, sc, location));
          }
        }
      } catch (StorageUnavailableException | CatalogException e) {
        LOG.warn(
            "latestOf: skipping storage {}: {}", storage.getMetadata().getName(), e.getMessage());
      }
    }
    Optional<Candidate> newest =
        candidates.stream()
            .max(
                Comparator.comparing(Candidate::time)
                    .thenComparing(c -> c.resource() != null ? 1 : 0));
    if (newest.isEmpty()) {
      throw new RestoreFailure(
          Reasons.NO_CHECKPOINT_FOUND,
          "no Completed checkpoint of "
              + (podName != null ? "pod " + podName : "pods labelled " + selector)
              + " in namespace "
              + ns
              + ", neither as a Checkpoint resource nor in any storage");
    }
    Candidate c = newest.get();
    if (c.resource() != null) {
      try {
        return fromResource(c.resource(), all);
      } catch (RestoreWait e) {
        throw new IllegalStateException(e);
      }
    }
    String name =
        client.resources(Checkpoint.class).inNamespace(ns).list().getItems().stream()
            .filter(r -> r.getStatus() != null && c.stored().uri().equals(r.getStatus().getPath()))
            .map(r -> r.getMetadata().getName())
            .findFirst()
            .orElse(null);
    return new RestoreSource(name, c.stored(), c.location());
  }
}
