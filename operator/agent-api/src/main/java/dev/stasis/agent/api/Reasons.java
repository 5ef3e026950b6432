package dev.stasis.agent.api;

/**
 * The machine-readable reasons a job ends FAILED or CANCELLED with ({@code Job.reason}). The
 * operator copies them into the CR's conditions; they never change meaning.
 */
public final class Reasons {
  /**
   * The kubelet answered 404: the pod or container does not exist on this node, or the
   * ContainerCheckpoint feature gate is off.
   */
  public static final String CONTAINER_NOT_FOUND = "ContainerNotFound";

  /**
   * The kubelet answered 500: the container runtime cannot checkpoint (CRI-O, or containerd 2.1+,
   * with CRIU, is needed).
   */
  public static final String CHECKPOINT_UNSUPPORTED = "CheckpointUnsupported";

  /** The kubelet did not answer within the timeout. */
  public static final String KUBELET_TIMEOUT = "KubeletTimeout";

  /** The kubelet answered 401/403: the agent's service account lacks nodes/checkpoint. */
  public static final String KUBELET_UNAUTHORIZED = "KubeletUnauthorized";

  /** The kubelet could not be reached (connection refused, TLS failure, bad answer). */
  public static final String KUBELET_UNAVAILABLE = "KubeletUnavailable";

  /** The storage could not be reached or configured (credentials, bucket, endpoint). */
  public static final String STORAGE_UNAVAILABLE = "StorageUnavailable";

  /** Streaming an archive or the manifest to storage failed. */
  public static final String UPLOAD_FAILED = "UploadFailed";

  /** A restore found no manifest at the checkpoint URI. */
  public static final String CHECKPOINT_NOT_FOUND = "CheckpointNotFound";

  /** A downloaded archive did not match its recorded size or SHA-256. */
  public static final String VERIFICATION_FAILED = "VerificationFailed";

  /** The registry refused the credentials. */
  public static final String REGISTRY_UNAUTHORIZED = "RegistryUnauthorized";

  /** Pushing the checkpoint image failed. */
  public static final String REGISTRY_PUSH_FAILED = "RegistryPushFailed";

  /** The agent restarted while the job ran; what it left was cleaned up. Start a new CR. */
  public static final String AGENT_RESTARTED = "AgentRestarted";

  /** CancelJob was called. */
  public static final String CANCELLED = "Cancelled";

  /** The request could not be carried out as given (e.g. no containers to checkpoint). */
  public static final String INVALID_REQUEST = "InvalidRequest";

  /** An unexpected error in the agent; the message says what. */
  public static final String INTERNAL = "Internal";

  private Reasons() {}
}
