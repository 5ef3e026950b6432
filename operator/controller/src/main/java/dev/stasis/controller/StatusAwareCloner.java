package dev.stasis.controller;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Restore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;

/**
 * JOSDK's resource cloner, except that a status without a phase becomes no status at all.
 *
 * <p>Our CR classes create an empty status object when the API server sent none (a new resource),
 * and JOSDK computes its status patch against a clone: the patch would then say "add /status/phase"
 * to an object that has no /status, which the API server refuses. Every status we write has a
 * phase, so an empty one only ever stands for "none yet".
 */
final class StatusAwareCloner implements Cloner {
  private final KubernetesSerialization serialization;

  StatusAwareCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  public <R extends HasMetadata> R clone(R object) {
    R copy = serialization.clone(object);
    if (copy instanceof Checkpoint c && c.getStatus() != null && c.getStatus().getPhase() == null) {
      c.setStatus(null);
    } else if (copy instanceof Restore r
        && r.getStatus() != null
        && r.getStatus().getPhase() == null) {
      r.setStatus(null);
    } else if (copy instanceof CheckpointStorage s
        && s.getStatus() != null
        && s.getStatus().getPhase() == null) {
      s.setStatus(null);
    }
    return copy;
  }
}
