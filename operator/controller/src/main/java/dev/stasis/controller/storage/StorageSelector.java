package dev.stasis.controller.storage;

import dev.stasis.api.v1alpha1.CheckpointSpec;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.Cloud;
import dev.stasis.api.v1alpha1.StorageMatch;
import dev.stasis.controller.status.Reasons;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Chooses where a checkpoint goes, in order: {@code spec.dir}; {@code spec.storage}; the
 * CheckpointStorage whose {@code match} fits the pod's node, highest priority first, ties by name;
 * the default storage (the oldest one with {@code default: true}, as the others are marked
 * DuplicateDefault).
 *
 * <p>A match must state at least one condition (cloud or nodeSelector), and all it states must
 * hold: an empty match matches no node, so that a storage is never picked by accident.
 */
public final class StorageSelector {
  private StorageSelector() {}

  /** Thrown when no storage fits; the message says what to create or fix. */
  public static final class NoStorageException extends Exception {
    public NoStorageException(String message) {
      super(message);
    }
  }

  public static StorageSelection select(
      CheckpointSpec spec, Node node, Collection<CheckpointStorage> storages)
      throws NoStorageException {
    if (spec.getDir() != null && !spec.getDir().isBlank()) {
      return new StorageSelection(null, spec.getDir(), "spec.dir", Reasons.SPEC_DIR);
    }
    if (spec.getStorage() != null && !spec.getStorage().isBlank()) {
      return storages.stream()
          .filter(s -> spec.getStorage().equals(s.getMetadata().getName()))
          .findFirst()
          .map(s -> new StorageSelection(s, null, "spec.storage", Reasons.SPEC_STORAGE))
          .orElseThrow(
              () ->
                  new NoStorageException(
                      "CheckpointStorage '"
                          + spec.getStorage()
                          + "' named in spec.storage does not exist"));
    }
    Optional<Cloud> cloud = node == null ? Optional.empty() : CloudDetector.detect(node);
    Map<String, String> labels =
        node == null || node.getMetadata().getLabels() == null
            ? Map.of()
            : node.getMetadata().getLabels();
    Optional<CheckpointStorage> matching =
        storages.stream()
            .filter(s -> matches(s.getSpec().getMatch(), cloud, labels))
            .min(
                Comparator.comparingInt((CheckpointStorage s) -> -priority(s.getSpec()))
                    .thenComparing(s -> s.getMetadata().getName()));
    if (matching.isPresent()) {
      CheckpointStorage s = matching.get();
      return new StorageSelection(
          s,
          null,
          "node matches "
              + describe(s.getSpec().getMatch())
              + " (priority "
              + priority(s.getSpec())
              + ")",
          Reasons.NODE_MATCH);
    }
    return defaultStorage(storages)
        .map(s -> new StorageSelection(s, null, "default storage", Reasons.DEFAULT_STORAGE))
        .orElseThrow(
            () ->
                new NoStorageException(
                    "no CheckpointStorage matches node "
                        + (node == null ? "?" : node.getMetadata().getName())
                        + cloud.map(c -> " (cloud " + c + ")").orElse("")
                        + " and none is the default: create one with spec.default: true, or"
                        + " set spec.storage or spec.dir"));
  }

  /** The default storage in force: the oldest of those with default: true, ties by name. */
  public static Optional<CheckpointStorage> defaultStorage(Collection<CheckpointStorage> storages) {
    return storages.stream()
        .filter(s -> Boolean.TRUE.equals(s.getSpec().getIsDefault()))
        .min(defaultOrder());
  }

  /** The order in which defaults are ranked: creation time, then name. */
  public static Comparator<CheckpointStorage> defaultOrder() {
    return Comparator.comparing(
            (CheckpointStorage s) ->
                Optional.ofNullable(s.getMetadata().getCreationTimestamp())
                    .map(StorageSelector::instant)
                    .orElse(Instant.MAX))
        .thenComparing(s -> s.getMetadata().getName());
  }

  private static Instant instant(String timestamp) {
    try {
      return Instant.parse(timestamp);
    } catch (RuntimeException e) {
      return Instant.MAX;
    }
  }

  static boolean matches(StorageMatch match, Optional<Cloud> cloud, Map<String, String> labels) {
    if (match == null) {
      return false;
    }
    boolean hasSelector = match.getNodeSelector() != null && !match.getNodeSelector().isEmpty();
    if (match.getCloud() == null && !hasSelector) {
      return false;
    }
    if (match.getCloud() != null && !cloud.equals(Optional.of(match.getCloud()))) {
      return false;
    }
    return !hasSelector
        || match.getNodeSelector().entrySet().stream()
            .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private static int priority(CheckpointStorageSpec spec) {
    return spec.getPriority() == null ? 0 : spec.getPriority();
  }

  private static String describe(StorageMatch match) {
    StringBuilder out = new StringBuilder();
    if (match.getCloud() != null) {
      out.append("cloud ").append(match.getCloud());
    }
    if (match.getNodeSelector() != null && !match.getNodeSelector().isEmpty()) {
      if (out.length() > 0) {
        out.append(" and ");
      }
      out.append("nodeSelector ");
      List<String> pairs =
          new TreeMap<>(match.getNodeSelector())
              .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
      out.append(String.join(",", pairs));
    }
    return out.toString();
  }
}
