package dev.stasis.storage;

import dev.stasis.api.Stasis;
import java.util.Objects;

/**
 * Which checkpoint: the Checkpoint resource's namespace and name, its UID, and the pod it is of.
 * Its directory is {@code <namespace>/<pod>/<name>-<first 8 characters of the uid>}.
 */
public record CheckpointId(String namespace, String pod, String name, String uid) {
  public CheckpointId {
    require(namespace, "namespace", Stasis.LABEL_NAME_PATTERN);
    require(pod, "pod", Stasis.NAME_PATTERN);
    require(name, "checkpoint name", Stasis.NAME_PATTERN);
    Objects.requireNonNull(uid, "uid");
    if (uid.replace("-", "").length() < 8 || !uid.matches("[A-Za-z0-9-]+")) {
      throw new IllegalArgumentException("uid must have at least 8 letters or digits: " + uid);
    }
  }

  private static void require(String v, String what, String pattern) {
    if (v == null || !v.matches(pattern) || v.length() > 253) {
      throw new IllegalArgumentException("invalid " + what + ": '" + v + "'");
    }
  }

  /** The first 8 characters of the UID (hyphens skipped). */
  public String shortUid() {
    return uid.replace("-", "").substring(0, 8).toLowerCase(java.util.Locale.ROOT);
  }

  /** {@code <namespace>/<pod>/<name>-<uid8>}, relative to the storage prefix. */
  public String directory() {
    return namespace + "/" + pod + "/" + name + "-" + shortUid();
  }
}
