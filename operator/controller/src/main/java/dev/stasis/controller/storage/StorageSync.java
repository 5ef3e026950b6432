package dev.stasis.controller.storage;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointSpec;
import dev.stasis.api.v1alpha1.DeletionPolicy;
import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.checkpoint.CheckpointAnnotations;
import dev.stasis.controller.metrics.StasisMetrics;
import dev.stasis.controller.util.Names;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes checkpoints found in a storage visible here: each manifest without a Checkpoint resource in
 * this cluster becomes one (labelled {@code stasis.dev/imported=true}, annotated with its path),
 * which the Checkpoint reconciler shows Completed. The checkpointed pod's labels, which the
 * manifest keeps, go into the annotation {@code stasis.dev/pod-labels} as on a Checkpoint taken
 * here, so that Restore latestOf.selector finds it. A second cluster reading the same storage can
 * then restore it by name or with latestOf.
 *
 * <p>A checkpoint counts as known when a Checkpoint has its UID (the one that took it), its path in
 * status, or was imported from it. Checkpoints of namespaces that do not exist here (or are not
 * watched) are left alone.
 */
public final class StorageSync {
  public static final String ANNOTATION_IMPORTED_UID = Stasis.GROUP + "/imported-uid";
  private static final Logger LOG = LoggerFactory.getLogger(StorageSync.class);

  private final KubernetesClient client;
  private final Set<String> watchNamespaces;
  private final CheckpointCatalog catalog;
  private final StasisMetrics metrics;

  public StorageSync(
      KubernetesClient client,
      OperatorSettings settings,
      CheckpointCatalog catalog,
      StasisMetrics metrics) {
    this.client = client;
    this.watchNamespaces = settings.watchNamespaces();
    this.catalog = catalog;
    this.metrics = metrics;
  }

  /** Imports what is missing; returns how many Checkpoints it created. */
  public int sync(String storageName, StorageLocation location) throws CatalogException {
    Set<String> watched = watchNamespaces;
    // Watched namespaces are known (and the operator may only read those); otherwise every
    // namespace of the cluster (the ClusterRole grants namespaces list for this).
    List<String> namespaces =
        watched.isEmpty()
            ? client.namespaces().list().getItems().stream()
                .map(n -> n.getMetadata().getName())
                .toList()
            : List.copyOf(watched);
    List<StoredCheckpoint> stored = new ArrayList<>();
    for (String ns : namespaces) {
      stored.addAll(catalog.list(location, ns));
    }
    if (stored.isEmpty()) {
      return 0;
    }
    Set<String> knownUids = new HashSet<>();
    Set<String> knownPaths = new HashSet<>();
    Map<String, Set<String>> namesByNamespace = new HashMap<>();
    List<Checkpoint> existing = new ArrayList<>();
    if (watched.isEmpty()) {
      existing.addAll(client.resources(Checkpoint.class).inAnyNamespace().list().getItems());
    } else {
      for (String ns : watched) {
        existing.addAll(client.resources(Checkpoint.class).inNamespace(ns).list().getItems());
      }
    }
    for (Checkpoint c : existing) {
      knownUids.add(c.getMetadata().getUid());
      var annotations = c.getMetadata().getAnnotations();
      if (annotations != null) {
        if (annotations.get(ANNOTATION_IMPORTED_UID) != null) {
          knownUids.add(annotations.get(ANNOTATION_IMPORTED_UID));
        }
        if (annotations.get(CheckpointAnnotations.IMPORTED_PATH) != null) {
          knownPaths.add(annotations.get(CheckpointAnnotations.IMPORTED_PATH));
        }
      }
      if (c.getStatus() != null && c.getStatus().getPath() != null) {
        knownPaths.add(c.getStatus().getPath());
      }
      namesByNamespace
          .computeIfAbsent(c.getMetadata().getNamespace(), k -> new HashSet<>())
          .add(c.getMetadata().getName());
    }
    int created = 0;
    for (StoredCheckpoint sc : stored) {
      if ((sc.checkpointUid() != null && knownUids.contains(sc.checkpointUid()))
          || knownPaths.contains(sc.uri())) {
        continue;
      }
      String ns = sc.namespace();
      Set<String> taken = namesByNamespace.computeIfAbsent(ns, k -> new HashSet<>());
      String name = sc.checkpointName();
      if (name == null || !name.matches(Stasis.NAME_PATTERN) || taken.contains(name)) {
        String uid = sc.checkpointUid() == null ? Names.suffix(sc.uri()) : sc.checkpointUid();
        name =
            Names.withSuffix(
                name == null ? sc.podName() : name,
                uid.substring(0, Math.min(8, uid.length())),
                253);
      }
      Checkpoint checkpoint = new Checkpoint();
      Map<String, String> annotations = new HashMap<>();
      annotations.put(CheckpointAnnotations.IMPORTED_PATH, sc.uri());
      if (sc.checkpointUid() != null) {
        annotations.put(ANNOTATION_IMPORTED_UID, sc.checkpointUid());
      }
      if (!sc.podLabels().isEmpty()) {
        annotations.put(
            CheckpointAnnotations.POD_LABELS, CheckpointAnnotations.podLabelsValue(sc.podLabels()));
      }
      checkpoint.setMetadata(
          new ObjectMetaBuilder()
              .withName(name)
              .withNamespace(ns)
              .withLabels(
                  Map.of(
                      Stasis.LABEL_IMPORTED,
                      "true",
                      Stasis.LABEL_POD,
                      Names.labelValue(sc.podName())))
              .withAnnotations(annotations)
              .build());
      CheckpointSpec spec = new CheckpointSpec();
      spec.setPodName(sc.podName());
      spec.setStorage(storageName.isEmpty() ? null : storageName);
      spec.setDeletionPolicy(DeletionPolicy.Retain);
      checkpoint.setSpec(spec);
      try {
        client.resource(checkpoint).create();
        taken.add(name);
        knownPaths.add(sc.uri());
        if (sc.checkpointUid() != null) {
          knownUids.add(sc.checkpointUid());
        }
        metrics.checkpointImported();
        created++;
        LOG.info("imported {} as Checkpoint {}/{}", sc.uri(), ns, name);
      } catch (KubernetesClientException e) {
        LOG.warn("cannot import {} as {}/{}: {}", sc.uri(), ns, name, e.getMessage());
      }
    }
    return created;
  }
}
