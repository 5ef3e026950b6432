package dev.stasis.controller.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds the agent pod of a node: in the agent namespace, carrying the agent labels, scheduled on
 * the node, Running and with an IP, and Ready when it reports readiness.
 */
public final class AgentLocator {
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, String> labels;
  private final int port;

  public AgentLocator(
      KubernetesClient client, String namespace, Map<String, String> labels, int port) {
    this.client = client;
    this.namespace = namespace;
    this.labels = Map.copyOf(labels);
    this.port = port;
  }

  public Optional<AgentEndpoint> onNode(String nodeName) {
    return client.pods().inNamespace(namespace).withLabels(labels).list().getItems().stream()
        .filter(p -> nodeName.equals(p.getSpec().getNodeName()))
        .filter(AgentLocator::usable)
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(
            p ->
                new AgentEndpoint(
                    p.getMetadata().getName(), nodeName, p.getStatus().getPodIP(), port))
        .findFirst();
  }

  /** The nodes that have a usable agent. */
  public Set<String> nodesWithAgents() {
    return client.pods().inNamespace(namespace).withLabels(labels).list().getItems().stream()
        .filter(AgentLocator::usable)
        .map(p -> p.getSpec().getNodeName())
        .filter(n -> n != null)
        .collect(Collectors.toSet());
  }

  private static boolean usable(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
      return false;
    }
    if (!"Running".equals(pod.getStatus().getPhase())) {
      return false;
    }
    String ip = pod.getStatus().getPodIP();
    if (ip == null || ip.isBlank()) {
      return false;
    }
    var conditions = pod.getStatus().getConditions();
    if (conditions == null) {
      return true;
    }
    return conditions.stream()
        .filter(c -> "Ready".equals(c.getType()))
        .allMatch(c -> "True".equals(c.getStatus()));
  }

  /** Parses {@code a=b,c=d}, the form STASIS_AGENT_LABEL_SELECTOR takes. */
  public static Map<String, String> parseSelector(String selector) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String part : selector.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "agent label selector '" + selector + "': expected key=value[,key=value]");
      }
      String value = p.substring(eq + 1);
      if (value.startsWith("=")) {
        value = value.substring(1);
      }
      out.put(p.substring(0, eq).trim(), value.trim());
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("agent label selector is empty");
    }
    return out;
  }
}
