package dev.stasis.controller.checkpoint;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.CheckpointSpec;
import dev.stasis.controller.util.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a Checkpoint's spec again, although the CRD's schema and CEL rules already do: an API
 * server without CEL (or a resource written around validation) must fail clearly, not half-way.
 */
final class CheckpointValidation {
  private CheckpointValidation() {}

  static Optional<String> problems(CheckpointSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return Optional.of("spec is missing");
    }
    if (spec.getPodName() == null || spec.getPodName().isBlank()) {
      problems.add("spec.podName is required");
    } else if (!spec.getPodName().matches(Stasis.NAME_PATTERN)) {
      problems.add("spec.podName '" + spec.getPodName() + "' is not a pod name");
    }
    boolean hasStorage = spec.getStorage() != null && !spec.getStorage().isBlank();
    boolean hasDir = spec.getDir() != null && !spec.getDir().isBlank();
    if (hasStorage && hasDir) {
      problems.add("set at most one of spec.storage and spec.dir");
    }
    if (hasDir && !spec.getDir().matches(Stasis.URI_PATTERN)) {
      problems.add(
          "spec.dir '" + spec.getDir() + "' must be an s3://, gs://, file:// or stasis:// URI");
    }
    if (spec.getContainers() != null) {
      for (String c : spec.getContainers()) {
        if (c == null || !c.matches(Stasis.LABEL_NAME_PATTERN)) {
          problems.add("spec.containers: '" + c + "' is not a container name");
        }
      }
    }
    if (spec.getTtl() != null && !spec.getTtl().isBlank()) {
      try {
        Durations.parse(spec.getTtl());
      } catch (IllegalArgumentException e) {
        problems.add("spec.ttl: " + e.getMessage());
      }
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }
}
