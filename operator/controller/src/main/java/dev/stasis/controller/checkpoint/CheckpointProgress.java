package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.controller.Services;
import dev.stasis.controller.agent.AgentEndpoint;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.agent.AgentUnreachableException;
import dev.stasis.controller.agent.JobNotFoundException;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.util.ByteSizes;
import java.time.format.DateTimeFormatter;

/**
 * Follows a started job: asks the node's agent for it (GetJob) and publishes its phase and
 * progress, polling until it ends; then fills in the result (path, sizes, checksums).
 */
final class CheckpointProgress {
  private final Services services;

  CheckpointProgress(Services services) {
    this.services = services;
  }

  CheckpointStep run(Checkpoint checkpoint, CheckpointStatus status) {
    String node = status.getNodeName();
    AgentEndpoint agent =
        services
            .locator()
            .onNode(node)
            .orElseThrow(
                () ->
                    new AgentUnreachableException(
                        "no running Stasis agent on node " + node + " to ask about the job", null));
    AgentJob job;
    try {
      job = services.agents().getJob(agent, checkpoint.getMetadata().getUid());
    } catch (JobNotFoundException e) {
      return CheckpointStep.done(
          CheckpointStatuses.fail(
              status,
              services.status(),
              Reasons.JOB_LOST,
              "the agent on node "
                  + node
                  + " no longer knows this checkpoint's job (it was reinstalled or lost its"
                  + " state); create a new Checkpoint",
              checkpoint.getMetadata().getGeneration()));
    }
    return apply(checkpoint, status, job);
  }

  CheckpointStep apply(Checkpoint checkpoint, CheckpointStatus status, AgentJob job) {
    var factory = services.status();
    Long generation = checkpoint.getMetadata().getGeneration();
    switch (job.state()) {
      case QUEUED, RUNNING -> {
        boolean uploading =
            "Uploading".equals(job.phase()) || "WritingManifest".equals(job.phase());
        status.setPhase(uploading ? CheckpointPhase.Uploading : CheckpointPhase.Checkpointing);
        status.setProgress(CheckpointStatuses.progress(job.bytesDone(), job.bytesTotal()));
        status.setMessage(
            job.state() == AgentJob.State.QUEUED
                ? "queued on the agent of node " + status.getNodeName()
                : (uploading ? "uploading to " : "checkpointing to ") + status.getStorage());
        status.setConditions(
            factory.set(
                status.getConditions(),
                Reasons.READY,
                false,
                Reasons.IN_PROGRESS,
                status.getMessage(),
                generation));
        if (uploading) {
          status.setConditions(
              factory.set(
                  status.getConditions(),
                  Reasons.DUMPED,
                  true,
                  Reasons.COMPLETED,
                  "the kubelet wrote the checkpoint archives",
                  generation));
        }
        return CheckpointStep.again(status, services.settings().pollInterval());
      }
      case SUCCEEDED -> {
        return CheckpointStep.done(completed(checkpoint, status, job));
      }
      default -> {
        String reason = job.reason() == null || job.reason().isBlank() ? "JobFailed" : job.reason();
        String message =
            job.message() == null || job.message().isBlank()
                ? "the agent's job ended " + job.state()
                : job.message();
        return CheckpointStep.done(
            CheckpointStatuses.fail(status, factory, reason, message, generation));
      }
    }
  }

  private CheckpointStatus completed(Checkpoint checkpoint, CheckpointStatus status, AgentJob job) {
    var factory = services.status();
    Long generation = checkpoint.getMetadata().getGeneration();
    status.setContainers(CheckpointStatuses.containers(job.containers()));
    long archive = CheckpointStatuses.archiveBytes(job.containers());
    if (job.checkpointUri() != null && !job.checkpointUri().isBlank()) {
      status.setPath(job.checkpointUri());
    }
    long size = job.storedBytes() > 0 ? job.storedBytes() : CheckpointStatuses.totalStored(status);
    status.setSize(size);
    status.setDisplaySize(ByteSizes.display(size));
    status.setProgress(CheckpointStatuses.progress(archive, archive));
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
            + ")");
    var conditions = status.getConditions();
    conditions =
        factory.set(
            conditions,
            Reasons.DUMPED,
            true,
            Reasons.COMPLETED,
            "the kubelet wrote the checkpoint archives",
            generation);
    conditions =
        factory.set(
            conditions,
            Reasons.UPLOADED,
            true,
            Reasons.COMPLETED,
            "archives and manifest stored",
            generation);
    conditions =
        factory.set(
            conditions, Reasons.READY, true, Reasons.COMPLETED, status.getMessage(), generation);
    status.setConditions(conditions);
    return status;
  }
}
