package dev.stasis.controller.util;

import java.util.Map;

/** Equality-based label selectors, as {@code matchLabels} reads them. */
public final class LabelSelectors {
  private LabelSelectors() {}

  /** Whether {@code labels} carry every one of {@code selector}'s (an empty one matches none). */
  public static boolean matches(Map<String, String> labels, Map<String, String> selector) {
    return !selector.isEmpty()
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
