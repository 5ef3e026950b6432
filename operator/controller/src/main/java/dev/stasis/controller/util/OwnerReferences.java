package dev.stasis.controller.util;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** The owner references the operator sets on what it creates. */
public final class OwnerReferences {
  private OwnerReferences() {}

  /**
   * {@code owner} as the controller of the object, which the garbage collector deletes with it;
   * with {@code blockOwnerDeletion} the owner's foreground deletion waits for the object.
   */
  public static OwnerReference controller(HasMetadata owner, boolean blockOwnerDeletion) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(blockOwnerDeletion ? Boolean.TRUE : null)
        .build();
  }
}
