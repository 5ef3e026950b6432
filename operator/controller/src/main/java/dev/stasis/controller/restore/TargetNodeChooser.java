package dev.stasis.controller.restore;

import dev.stasis.api.v1alpha1.RestoreSpec;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.util.Nodes;
import io.fabric8.kubernetes.api.model.Node;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the node a checkpoint is restored on: {@code spec.nodeName}; else a Ready, schedulable
 * node with an agent that carries {@code spec.nodeSelector}, preferring the node the checkpoint was
 * taken on (a node-local filesystem storage only restores there), then by name.
 */
final class TargetNodeChooser {
  private TargetNodeChooser() {}

  static String choose(
      RestoreSpec spec, Collection<Node> nodes, Set<String> withAgents, String originalNode)
      throws RestoreFailure {
    if (spec.getNodeName() != null && !spec.getNodeName().isBlank()) {
      String name = spec.getNodeName();
      if (nodes.stream().noneMatch(n -> name.equals(n.getMetadata().getName()))) {
        throw new RestoreFailure(
            Reasons.NODE_NOT_FOUND, "node " + name + " (spec.nodeName) does not exist");
      }
      if (!withAgents.contains(name)) {
        throw new RestoreFailure(
            Reasons.NO_AGENT_ON_NODE, "no running Stasis agent on node " + name);
      }
      return name;
    }
    Map<String, String> selector =
        spec.getNodeSelector() == null ? Map.of() : spec.getNodeSelector();
    List<String> fit =
        nodes.stream()
            .filter(Nodes::ready)
            .filter(
                n -> n.getSpec() == null || !Boolean.TRUE.equals(n.getSpec().getUnschedulable()))
            .filter(n -> labelsMatch(n, selector))
            .map(n -> n.getMetadata().getName())
            .filter(withAgents::contains)
            .sorted(
                Comparator.comparing((String n) -> !n.equals(originalNode)).thenComparing(n -> n))
            .toList();
    if (fit.isEmpty()) {
      throw new RestoreFailure(
          Reasons.NO_NODE_AVAILABLE,
          "no Ready node"
              + (selector.isEmpty() ? "" : " labelled " + selector)
              + " has a running Stasis agent");
    }
    return fit.get(0);
  }

  private static boolean labelsMatch(Node node, Map<String, String> selector) {
    Map<String, String> labels =
        node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
