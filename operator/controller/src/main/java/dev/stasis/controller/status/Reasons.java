package dev.stasis.controller.status;

/**
 * The condition types and reasons the operator writes. Reasons are CamelCase, stable, and what a
 * user greps for; the condition's message says what happened and what to do.
 */
public final class Reasons {
  // Condition types.
  public static final String READY = "Ready";
  public static final String STORAGE_SELECTED = "StorageSelected";
  public static final String AGENT_REACHABLE = "AgentReachable";
  public static final String DUMPED = "Dumped";
  public static final String UPLOADED = "Uploaded";
  public static final String SOURCE_RESOLVED = "SourceResolved";
  public static final String IMAGES_PUSHED = "ImagesPushed";
  public static final String POD_RUNNING = "PodRunning";
  public static final String VALIDATED = "Validated";
  public static final String REACHABLE = "Reachable";
  public static final String TERMINATION_RESTORE = "TerminationRestore";

  // Reasons: progress.
  public static final String PENDING = "Pending";
  public static final String IN_PROGRESS = "InProgress";
  public static final String COMPLETED = "Completed";
  public static final String IMPORTED = "Imported";
  public static final String AVAILABLE = "Available";
  public static final String RUNNING = "Running";
  public static final String SPEC_DIR = "SpecDir";
  public static final String SPEC_STORAGE = "SpecStorage";
  public static final String NODE_MATCH = "NodeMatch";
  public static final String DEFAULT_STORAGE = "DefaultStorage";

  // Reasons: failures of a Checkpoint.
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String POD_NOT_FOUND = "PodNotFound";
  public static final String POD_NOT_RUNNING = "PodNotRunning";
  public static final String NO_AGENT_ON_NODE = "NoAgentOnNode";
  public static final String STORAGE_NOT_FOUND = "StorageNotFound";
  public static final String STORAGE_UNAVAILABLE = "StorageUnavailable";
  public static final String CHECKPOINT_UNSUPPORTED = "CheckpointUnsupported";
  public static final String AGENT_UNREACHABLE = "AgentUnreachable";
  public static final String AGENT_REFUSED = "AgentRefused";
  public static final String JOB_LOST = "AgentJobLost";
  public static final String MANIFEST_UNREADABLE = "ManifestUnreadable";
  public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";

  // Reasons: a restore after a node termination (condition TerminationRestore of the Checkpoint).
  public static final String RESTORE_CREATED = "RestoreCreated";
  public static final String NO_NODE_TO_RESTORE_ON = "NoNodeToRestoreOn";

  // Reasons: failures of a Restore.
  public static final String CHECKPOINT_NOT_FOUND = "CheckpointNotFound";
  public static final String CHECKPOINT_NOT_COMPLETED = "CheckpointNotCompleted";
  public static final String NO_CHECKPOINT_FOUND = "NoCheckpointFound";
  public static final String NODE_NOT_FOUND = "NodeNotFound";
  public static final String NO_NODE_AVAILABLE = "NoNodeAvailable";
  public static final String POD_CREATE_FAILED = "PodCreateFailed";
  public static final String POD_FAILED = "PodFailed";
  public static final String POD_GONE = "PodGone";

  // Reasons: CheckpointStorage.
  public static final String INVALID_CONFIG = "InvalidConfig";
  public static final String DUPLICATE_DEFAULT = "DuplicateDefault";
  public static final String UNREACHABLE = "Unreachable";
  public static final String CREDENTIALS_NOT_FOUND = "CredentialsNotFound";

  private Reasons() {}
}
