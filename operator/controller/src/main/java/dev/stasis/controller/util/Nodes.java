package dev.stasis.controller.util;

import io.fabric8.kubernetes.api.model.Node;

/** What the operator reads of a Node. */
public final class Nodes {
  private Nodes() {}

  /** Whether the node's Ready condition is True. */
  public static boolean ready(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
