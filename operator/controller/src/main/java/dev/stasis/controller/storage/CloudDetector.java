package dev.stasis.controller.storage;

import dev.stasis.api.v1alpha1.Cloud;
import io.fabric8.kubernetes.api.model.Node;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises the managed platform a node runs on: EKS is providerID {@code aws://} with an {@code
 * eks.amazonaws.com/*} or {@code karpenter.sh/*} label; GKE is {@code gce://} with a {@code
 * cloud.google.com/gke-*} label. A plain EC2 or GCE node (no such label) is neither.
 */
public final class CloudDetector {
  private CloudDetector() {}

  public static Optional<Cloud> detect(Node node) {
    String providerId = node.getSpec() == null ? null : node.getSpec().getProviderID();
    Map<String, String> labels = node.getMetadata().getLabels();
    return detect(providerId, labels == null ? Map.of() : labels);
  }

  public static Optional<Cloud> detect(String providerId, Map<String, String> labels) {
    if (providerId == null) {
      return Optional.empty();
    }
    if (providerId.startsWith("aws://")
        && labels.keySet().stream()
            .anyMatch(k -> k.startsWith("eks.amazonaws.com/") || k.startsWith("karpenter.sh/"))) {
      return Optional.of(Cloud.EKS);
    }
    if (providerId.startsWith("gce://")
        && labels.keySet().stream().anyMatch(k -> k.startsWith("cloud.google.com/gke-"))) {
      return Optional.of(Cloud.GKE);
    }
    return Optional.empty();
  }
}
