package dev.stasis.api;

/** Names shared by the operator, the agent, the chart and the tools. */
public final class Stasis {
  public static final String GROUP = "stasis.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CATEGORY = "stasis";

  /** Finalizer that lets the operator apply a Checkpoint's deletionPolicy before it goes. */
  public static final String FINALIZER = GROUP + "/finalizer";

  /** Label on Checkpoints created from a storage listing rather than by a user. */
  public static final String LABEL_IMPORTED = GROUP + "/imported";

  /** Label naming the pod a Checkpoint was taken of (for latestOf look-ups). */
  public static final String LABEL_POD = GROUP + "/pod";

  /** Label on each pod's Checkpoint of a workload checkpoint: the workload Checkpoint's name. */
  public static final String LABEL_WORKLOAD_CHECKPOINT = GROUP + "/workload-checkpoint";

  /** Label on each pod's Restore of a workload restore, and on its pod: the workload Restore. */
  public static final String LABEL_WORKLOAD_RESTORE = GROUP + "/workload-restore";

  /** Label on a restored pod: the Checkpoint it was restored from. */
  public static final String LABEL_RESTORED_FROM = GROUP + "/restored-from";

  /** Label on a restored pod: the Restore that created it. */
  public static final String LABEL_RESTORE = GROUP + "/restore";

  /** Label on a Checkpoint a CheckpointSchedule created: the schedule's name. */
  public static final String LABEL_SCHEDULE = GROUP + "/schedule";

  /** Annotation on a Checkpoint a CheckpointSchedule created: the run's time (RFC 3339, UTC). */
  public static final String ANNOTATION_SCHEDULED_TIME = GROUP + "/scheduled-time";

  /** Annotation on a restored pod: the URI of the checkpoint it came from. */
  public static final String ANNOTATION_CHECKPOINT_PATH = GROUP + "/checkpoint-path";

  /** Label on a Checkpoint the operator created by itself: why (for example node-termination). */
  public static final String LABEL_REASON = GROUP + "/reason";

  /** The value of {@link #LABEL_REASON} on a checkpoint taken before its node went away. */
  public static final String REASON_NODE_TERMINATION = "node-termination";

  /** Label on a node-termination Checkpoint: the node that was going away. */
  public static final String LABEL_NODE = GROUP + "/node";

  /** Annotation on a node-termination Checkpoint: the taint or cordon that started it. */
  public static final String ANNOTATION_TERMINATION_SIGNAL = GROUP + "/termination-signal";

  /** Pod annotation ("true"): checkpoint this pod when its node is about to go away. */
  public static final String ANNOTATION_CHECKPOINT_ON_TERMINATION =
      GROUP + "/checkpoint-on-termination";

  /**
   * Pod annotation ("true"), also set on the node-termination Checkpoints that want it: restore the
   * checkpoint on another node as soon as it Completed.
   */
  public static final String ANNOTATION_RESTORE_ON_TERMINATION = GROUP + "/restore-on-termination";

  /** URI schemes a checkpoint location may use. */
  public static final String SCHEME_S3 = "s3";

  public static final String SCHEME_GCS = "gs";
  public static final String SCHEME_FILE = "file";
  public static final String SCHEME_REPLICATED = "stasis";

  /** The pattern every checkpoint location URI must match (CRD validation uses the same). */
  public static final String URI_PATTERN = "^(s3|gs|file|stasis)://.+$";

  /** A Kubernetes object name (DNS-1123 subdomain). */
  public static final String NAME_PATTERN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A container name (DNS-1123 label). */
  public static final String LABEL_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  /** A positive duration: one or more number+unit pairs, units s, m, h, d. */
  public static final String DURATION_PATTERN = "^([0-9]+(s|m|h|d))+$";

  private Stasis() {}
}
