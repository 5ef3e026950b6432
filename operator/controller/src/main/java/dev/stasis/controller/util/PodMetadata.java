package dev.stasis.controller.util;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which of a pod's labels and annotations a checkpoint keeps, and which of those a restored pod
 * gets back.
 *
 * <p>The checkpoint keeps every label and every annotation but {@value #LAST_APPLIED} (a copy of
 * the whole object that kubectl keeps, large and of no use to a restore).
 *
 * <p>The restored pod gets them back except what belongs to the controller that ran the original
 * pod: with {@link #CONTROLLER_LABELS} a ReplicaSet, StatefulSet or Job would count the restored
 * pod as one of its own (or fight over it) — the workload's own labels (such as {@code app}) stay,
 * so Services still select it. {@code kubernetes.io/config.mirror} is dropped too: a pod carrying
 * it is taken for the mirror of a static pod, which the kubelet deletes.
 */
public final class PodMetadata {
  /** kubectl's copy of the applied object; never kept. */
  public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  /** Marks the API server's mirror of a static pod. */
  public static final String MIRROR = "kubernetes.io/config.mirror";

  /** Labels the workload controllers set on their pods to own and tell them apart. */
  public static final Set<String> CONTROLLER_LABELS =
      Set.of(
          "pod-template-hash",
          "controller-revision-hash",
          "statefulset.kubernetes.io/pod-name",
          "apps.kubernetes.io/pod-index",
          "batch.kubernetes.io/controller-uid",
          "batch.kubernetes.io/job-name",
          "controller-uid",
          "job-name");

  private PodMetadata() {}

  /** The labels a checkpoint keeps: all of them (sorted; never null). */
  public static Map<String, String> checkpointLabels(Map<String, String> labels) {
    return labels == null ? Map.of() : new TreeMap<>(labels);
  }

  /** The annotations a checkpoint keeps: all but {@value #LAST_APPLIED} (sorted; never null). */
  public static Map<String, String> checkpointAnnotations(Map<String, String> annotations) {
    Map<String, String> out = new TreeMap<>();
    if (annotations != null) {
      annotations.forEach(
          (k, v) -> {
            if (!LAST_APPLIED.equals(k)) {
              out.put(k, v);
            }
          });
    }
    return out;
  }

  /** The original pod's labels a restored pod gets: all but {@link #CONTROLLER_LABELS}. */
  public static Map<String, String> restoredLabels(Map<String, String> original) {
    Map<String, String> out = new TreeMap<>();
    if (original != null) {
      original.forEach(
          (k, v) -> {
            if (!CONTROLLER_LABELS.contains(k)) {
              out.put(k, v);
            }
          });
    }
    return out;
  }

  /**
   * The original pod's annotations a restored pod gets: all but {@value #LAST_APPLIED} and {@value
   * #MIRROR}.
   */
  public static Map<String, String> restoredAnnotations(Map<String, String> original) {
    Map<String, String> out = checkpointAnnotations(original);
    out.remove(MIRROR);
    return out;
  }
}
