package dev.stasis.controller.restore;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestoredImage;
import dev.stasis.controller.util.Names;
import dev.stasis.controller.util.OwnerReferences;
import dev.stasis.controller.util.PodMetadata;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/**
 * Builds the restored Pod: the pod spec saved at checkpoint time, with each checkpointed
 * container's image replaced by its checkpoint image (by digest when known), pinned to the chosen
 * node, with the original pod's labels and annotations (less those of the controller that ran it,
 * see {@link PodMetadata}), labelled and annotated with where it came from, owned by the Restore.
 * Stasis' own labels and annotation win over the original's of the same key; a pod of a workload
 * restore also carries the workload Restore's name ({@link Stasis#LABEL_WORKLOAD_RESTORE}).
 *
 * <p>The original scheduling constraints (nodeSelector, affinity) are dropped: the Restore's node
 * choice replaces them, and the kubelet would refuse the pod on a node they do not fit.
 */
final class RestoredPodFactory {
  private RestoredPodFactory() {}

  static Pod build(
      Restore restore,
      String podName,
      String nodeName,
      String podSpecJson,
      Map<String, String> originalLabels,
      Map<String, String> originalAnnotations,
      List<RestoredImage> images,
      String restoredFrom,
      String path) {
    PodSpec spec = Serialization.unmarshal(podSpecJson, PodSpec.class);
    spec.setNodeName(nodeName);
    spec.setNodeSelector(null);
    spec.setAffinity(null);
    spec.setSchedulingGates(null);
    for (Container c : spec.getContainers()) {
      images.stream()
          .filter(i -> c.getName().equals(i.getContainer()))
          .findFirst()
          .ifPresent(i -> c.setImage(reference(i)));
    }
    Map<String, String> labels = PodMetadata.restoredLabels(originalLabels);
    labels.put(Stasis.LABEL_RESTORED_FROM, Names.labelValue(restoredFrom));
    labels.put(Stasis.LABEL_RESTORE, Names.labelValue(restore.getMetadata().getName()));
    String workload =
        restore.getMetadata().getLabels() == null
            ? null
            : restore.getMetadata().getLabels().get(Stasis.LABEL_WORKLOAD_RESTORE);
    if (workload != null) {
      labels.put(Stasis.LABEL_WORKLOAD_RESTORE, workload);
    }
    Map<String, String> annotations = PodMetadata.restoredAnnotations(originalAnnotations);
    annotations.put(Stasis.ANNOTATION_CHECKPOINT_PATH, path);
    return new PodBuilder()
        .withNewMetadata()
        .withName(podName)
        .withNamespace(restore.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .withOwnerReferences(OwnerReferences.controller(restore, true))
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  /** {@code reference@digest} when the digest is known (pull exactly what was pushed). */
  static String reference(RestoredImage image) {
    String ref = image.getImage();
    if (image.getDigest() == null || image.getDigest().isBlank() || ref.contains("@")) {
      return ref;
    }
    return ref + "@" + image.getDigest();
  }
}
