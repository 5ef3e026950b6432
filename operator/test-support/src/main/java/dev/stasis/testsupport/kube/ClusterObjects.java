package dev.stasis.testsupport.kube;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;

/**
 * The objects a test cluster's nodes and agents are made of, as builders a cluster adds its own
 * details to (addresses, service account, conditions) before it creates them.
 */
public final class ClusterObjects {
  /** The labels of the chart's agent pods, which the operator finds agents by. */
  public static final Map<String, String> AGENT_LABELS =
      Map.of("app.kubernetes.io/name", "stasis-agent");

  private ClusterObjects() {}

  /**
   * A node with labels and a providerID (null for none), whose status has the condition Ready True.
   */
  public static NodeBuilder readyNode(String name, String providerId, Map<String, String> labels) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withProviderID(providerId)
        .endSpec()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus();
  }

  /**
   * An agent pod with the chart's labels ({@link #AGENT_LABELS}), one container {@code agent} of
   * {@code image}, bound to {@code node} and Running at {@code podIp}.
   */
  public static PodBuilder agentPod(
      String namespace, String name, String node, String image, String podIp) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(AGENT_LABELS)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewContainer()
        .withName("agent")
        .withImage(image)
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(podIp)
        .endStatus();
  }
}
