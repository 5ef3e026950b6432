package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.api.v1alpha1.ContainerCheckpointStatus;
import dev.stasis.api.v1alpha1.Progress;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.ReconcileError;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.storage.StorageSelection;
import dev.stasis.controller.storage.StoredCheckpoint;
import dev.stasis.controller.util.ByteSizes;
import dev.stasis.controller.util.StoredArchive;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place a Checkpoint's status is written: each method is one step of the state machine and
 * sets what that step means (phase, message, conditions, result), with the times from the {@link
 * StatusFactory}'s clock.
 */
final class CheckpointStatuses {
  private static final String DUMPED_MESSAGE = "the kubelet wrote the checkpoint archives";

  private final StatusFactory factory;

  CheckpointStatuses(StatusFactory factory) {
    this.factory = factory;
  }

  /** A deep copy of the current status (never null, phase Pending when unset). */
  CheckpointStatus current(Checkpoint checkpoint) {
    CheckpointStatus status =
        factory.copyStarted(
            checkpoint.getStatus(),
            CheckpointStatus::new,
            checkpoint.getMetadata().getGeneration());
    if (status.getPhase() == null) {
      status.setPhase(CheckpointPhase.Pending);
    }
    return status;
  }

  /** Ends a checkpoint Failed with a reason on the Ready condition and a message for people. */
  CheckpointStatus failed(CheckpointStatus status, String reason, String message) {
    status.setPhase(CheckpointPhase.Failed);
    factory.failed(status, reason, message);
    return status;
  }

  /** An error JOSDK retries: shown, the phase unchanged. */
  CheckpointStatus retrying(CheckpointStatus status, ReconcileError error) {
    factory.retrying(status, error);
    return status;
  }

  CheckpointStatus onNode(CheckpointStatus status, String nodeName) {
    status.setNodeName(nodeName);
    return status;
  }

  CheckpointStatus storageSelected(CheckpointStatus status, StorageSelection selection) {
    status.setStorage(selection.display());
    status.setStorageReason(selection.reason());
    factory.set(
        status,
        Reasons.STORAGE_SELECTED,
        true,
        selection.conditionReason(),
        selection.display() + ": " + selection.reason());
    return status;
  }

  /** The node's agent accepted the job, which will write to {@code path}. */
  CheckpointStatus jobAccepted(CheckpointStatus status, String path, String agentPod) {
    status.setPath(path);
    factory.set(
        status,
        Reasons.AGENT_REACHABLE,
        true,
        Reasons.RUNNING,
        "agent " + agentPod + " accepted the job");
    return status;
  }

  /** A queued or running job: Checkpointing, or Uploading once the archives are written. */
  CheckpointStatus jobRunning(CheckpointStatus status, AgentJob job) {
    boolean uploading = "Uploading".equals(job.phase()) || "WritingManifest".equals(job.phase());
    status.setPhase(uploading ? CheckpointPhase.Uploading : CheckpointPhase.Checkpointing);
    status.setCheckpointTime(checkpointTime(job, status));
    status.setProgress(progress(job.bytesDone(), job.bytesTotal()));
    status.setMessage(
        job.state() == AgentJob.State.QUEUED
            ? "queued on the agent of node " + status.getNodeName()
            : (uploading ? "uploading to " : "checkpointing to ") + status.getStorage());
    factory.set(status, Reasons.READY, false, Reasons.IN_PROGRESS, status.getMessage());
    if (uploading) {
      factory.set(status, Reasons.DUMPED, true, Reasons.COMPLETED, DUMPED_MESSAGE);
    }
    return status;
  }

  /** A job that succeeded: Completed with where and how much was stored. */
  CheckpointStatus completed(Checkpoint checkpoint, CheckpointStatus status, AgentJob job) {
    status.setContainers(containers(job.containers()));
    long archive = archiveBytes(job.containers());
    status.setCheckpointTime(checkpointTime(job, status));
    if (job.checkpointUri() != null && !job.checkpointUri().isBlank()) {
      status.setPath(job.checkpointUri());
    }
    long size = job.storedBytes() > 0 ? job.storedBytes() : totalStored(status);
    status.setSize(size);
    status.setDisplaySize(ByteSizes.display(size));
    status.setProgress(progress(archive, archive));
    status.setPhase(CheckpointPhase.Completed);
    status.setCompletionTime(
        job.completionTime() != null
            ? DateTimeFormatter.ISO_INSTANT.format(job.completionTime())
            : factory.timestamp());
    status.setMessage(
        "checkpoint of pod "
            + checkpoint.getSpec().getPodName()
            + " stored at "
            + status.getPath()
            + " ("
            + status.getDisplaySize()
            + ")"
            // What the agent adds to a success (a replicated member that missed the write).
            + (job.message() == null || job.message().isBlank() ? "" : "; " + job.message()));
    factory.set(status, Reasons.DUMPED, true, Reasons.COMPLETED, DUMPED_MESSAGE);
    factory.set(status, Reasons.UPLOADED, true, Reasons.COMPLETED, "archives and manifest stored");
    factory.set(status, Reasons.READY, true, Reasons.COMPLETED, status.getMessage());
    return status;
  }

  /** A checkpoint found in storage: Completed as its manifest says. */
  CheckpointStatus imported(CheckpointStatus status, StoredCheckpoint stored, String storage) {
    long archive = archiveBytes(stored.containers());
    String created =
        stored.createdAt() == null
            ? factory.timestamp()
            : DateTimeFormatter.ISO_INSTANT.format(stored.createdAt());
    status.setPhase(CheckpointPhase.Completed);
    status.setNodeName(stored.nodeName());
    status.setStorage(storage);
    status.setStorageReason("imported from storage " + storage);
    status.setPath(stored.uri());
    status.setContainers(containers(stored.containers()));
    status.setSize(stored.storedBytes());
    status.setDisplaySize(ByteSizes.display(stored.storedBytes()));
    status.setProgress(progress(archive, archive));
    status.setStartTime(created);
    status.setCompletionTime(created);
    status.setCheckpointTime(created);
    status.setMessage("imported from " + stored.uri() + " (" + status.getDisplaySize() + ")");
    factory.set(status, Reasons.READY, true, Reasons.IMPORTED, status.getMessage());
    return status;
  }

  /** The checkpointed pod was deleted after the checkpoint (leaveRunning: false). */
  CheckpointStatus podDeleted(CheckpointStatus status, String message) {
    factory.set(status, CheckpointEndOfLife.POD_DELETED, true, Reasons.COMPLETED, message);
    return status;
  }

  /** The ttl passed on a Checkpoint that stays: Expired=True, reason TtlExpired. */
  CheckpointStatus expired(CheckpointStatus status, String message) {
    status.setMessage(message);
    factory.set(
        status, CheckpointEndOfLife.EXPIRED, true, CheckpointEndOfLife.TTL_EXPIRED, message);
    return status;
  }

  /** When the agent began the dump (its job's start), once it reports it. */
  private static String checkpointTime(AgentJob job, CheckpointStatus status) {
    return job.startTime() == null
        ? status.getCheckpointTime()
        : DateTimeFormatter.ISO_INSTANT.format(job.startTime());
  }

  private static long totalStored(CheckpointStatus status) {
    return status.getContainers().stream()
        .mapToLong(c -> c.getStoredBytes() == null ? 0 : c.getStoredBytes())
        .sum();
  }

  /** The status's list of containers, one per stored archive. */
  private static List<ContainerCheckpointStatus> containers(
      List<? extends StoredArchive> archives) {
    List<ContainerCheckpointStatus> out = new ArrayList<>();
    for (StoredArchive a : archives) {
      ContainerCheckpointStatus c = new ContainerCheckpointStatus();
      c.setName(a.name());
      c.setImage(a.image());
      c.setObject(a.objectUri());
      if (a.compression() != null && !a.compression().isBlank()) {
        try {
          c.setCompression(Compression.fromValue(a.compression()));
        } catch (IllegalArgumentException e) {
          // An agent newer than this operator: leave it out rather than fail.
        }
      }
      c.setArchiveBytes(a.archiveBytes());
      c.setStoredBytes(a.storedBytes());
      c.setSha256(a.sha256());
      out.add(c);
    }
    return out;
  }

  /** Bytes of all the archives, uncompressed. */
  private static long archiveBytes(List<? extends StoredArchive> archives) {
    return archives.stream().mapToLong(StoredArchive::archiveBytes).sum();
  }

  private static Progress progress(long done, long total) {
    return new Progress(done, total > 0 ? total : null);
  }
}
