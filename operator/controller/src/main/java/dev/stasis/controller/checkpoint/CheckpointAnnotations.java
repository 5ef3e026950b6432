package dev.stasis.controller.checkpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.TreeMap;

/** What Stasis records on a Checkpoint's metadata: where it was imported from, its pod's labels. */
public final class CheckpointAnnotations {
  /** On an imported Checkpoint: the URI of the checkpoint directory it was found at. */
  public static final String IMPORTED_PATH = Stasis.GROUP + "/imported-path";

  /**
   * On a Checkpoint: the checkpointed pod's labels as a JSON object (keys sorted), for Restore
   * latestOf.selector. Set from the pod when the checkpoint starts, and from the manifest's {@code
   * podMetadata.labels} on an imported Checkpoint. An annotation rather than the labels themselves:
   * the pod's labels could collide with Stasis' own ({@code stasis.dev/pod}, {@code
   * stasis.dev/imported}), and anything selecting the workload by its labels ({@code kubectl delete
   * checkpoints,pods -l app=web}) would take the Checkpoints along.
   */
  public static final String POD_LABELS = Stasis.GROUP + "/pod-labels";

  private CheckpointAnnotations() {}

  /** The value of {@link #POD_LABELS} for these labels. */
  public static String podLabelsValue(Map<String, String> labels) {
    return Serialization.asJson(labels == null ? Map.of() : new TreeMap<>(labels));
  }

  /** The pod labels a Checkpoint records ({@link #POD_LABELS}); empty if none. */
  public static Map<String, String> podLabels(Checkpoint checkpoint) {
    var annotations = checkpoint.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(POD_LABELS);
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      return Serialization.jsonMapper()
          .readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (java.io.IOException | RuntimeException e) {
      return Map.of();
    }
  }

  /** Merges labels and annotations ({@code {"labels": {..}, "annotations": {..}}}) into its own. */
  static void patchMetadata(
      KubernetesClient client, Checkpoint checkpoint, Map<String, Object> metadata) {
    client
        .resources(Checkpoint.class)
        .inNamespace(checkpoint.getMetadata().getNamespace())
        .withName(checkpoint.getMetadata().getName())
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("metadata", metadata)));
  }

  /** Whether the storage sync created this Checkpoint for a checkpoint it found in storage. */
  public static boolean isImported(Checkpoint checkpoint) {
    var labels = checkpoint.getMetadata().getLabels();
    var annotations = checkpoint.getMetadata().getAnnotations();
    return labels != null
        && "true".equals(labels.get(Stasis.LABEL_IMPORTED))
        && annotations != null
        && annotations.containsKey(IMPORTED_PATH);
  }
}
