package dev.stasis.controller.termination;

import dev.stasis.controller.util.Nodes;
import io.fabric8.kubernetes.api.model.Node;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * The node a checkpoint taken before its node went away is restored on: another Ready, schedulable
 * node, without a termination signal of its own, where a Stasis agent runs; the first by name.
 */
final class RestoreNodes {
  private RestoreNodes() {}

  static Optional<String> choose(Collection<Node> nodes, Set<String> withAgents, String leaving) {
    return nodes.stream()
        .filter(n -> !n.getMetadata().getName().equals(leaving))
        .filter(n -> n.getMetadata().getDeletionTimestamp() == null)
        .filter(Nodes::ready)
        .filter(n -> TerminationSignal.of(n).isEmpty())
        .map(n -> n.getMetadata().getName())
        .filter(withAgents::contains)
        .sorted()
        .findFirst();
  }
}
