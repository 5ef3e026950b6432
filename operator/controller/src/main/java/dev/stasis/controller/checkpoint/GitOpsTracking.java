package dev.stasis.controller.checkpoint;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a GitOps tool keeps a resource in the cluster: Argo CD marks what it syncs with its
 * tracking annotation (tracking method annotation or annotation+label) or the instance label (the
 * default label tracking). Such a resource deleted by the operator would be created again by
 * self-heal, so its end of life happens in place instead.
 */
final class GitOpsTracking {
  static final String ARGOCD_TRACKING_ID = "argocd.argoproj.io/tracking-id";
  static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

  private GitOpsTracking() {}

  /** The annotation or label that says so, if any. */
  static Optional<String> trackedBy(HasMetadata resource) {
    if (has(resource.getMetadata().getAnnotations(), ARGOCD_TRACKING_ID)) {
      return Optional.of("annotation " + ARGOCD_TRACKING_ID);
    }
    if (has(resource.getMetadata().getLabels(), INSTANCE_LABEL)) {
      return Optional.of("label " + INSTANCE_LABEL);
    }
    return Optional.empty();
  }

  private static boolean has(Map<String, String> map, String key) {
    return map != null && map.get(key) != null && !map.get(key).isBlank();
  }
}
