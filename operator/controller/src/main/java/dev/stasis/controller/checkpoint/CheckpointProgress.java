package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.agent.NodeAgents;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.ReconcileStep;
import java.time.Duration;
import java.util.Optional;

/**
 * Follows a started job: asks the node's agent for it (GetJob) and publishes its phase and
 * progress, polling until it ends; then fills in the result (path, sizes, checksums).
 */
final class CheckpointProgress {
  private final NodeAgents agents;
  private final Duration pollInterval;
  private final CheckpointStatuses statuses;

  CheckpointProgress(NodeAgents agents, Duration pollInterval, CheckpointStatuses statuses) {
    this.agents = agents;
    this.pollInterval = pollInterval;
    this.statuses = statuses;
  }

  ReconcileStep<CheckpointStatus> run(Checkpoint checkpoint, CheckpointStatus status) {
    String node = status.getNodeName();
    Optional<AgentJob> job =
        agents.job(
            node,
            checkpoint.getMetadata().getUid(),
            "no running Stasis agent on node " + node + " to ask about the job");
    if (job.isEmpty()) {
      return ReconcileStep.done(
          statuses.failed(
              status,
              Reasons.JOB_LOST,
              "the agent on node "
                  + node
                  + " no longer knows this checkpoint's job (it was reinstalled or lost its"
                  + " state); create a new Checkpoint"));
    }
    return apply(checkpoint, status, job.get());
  }

  ReconcileStep<CheckpointStatus> apply(
      Checkpoint checkpoint, CheckpointStatus status, AgentJob job) {
    return switch (job.state()) {
      case QUEUED, RUNNING -> ReconcileStep.again(statuses.jobRunning(status, job), pollInterval);
      case SUCCEEDED -> ReconcileStep.done(statuses.completed(checkpoint, status, job));
      default ->
          ReconcileStep.done(statuses.failed(status, job.failureReason(), job.failureMessage()));
    };
  }
}
