package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.controller.agent.AgentException;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.agent.NodeAgents;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.ReconcileStep;
import dev.stasis.controller.status.StatusFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spec.activeDeadlineSeconds}: a Checkpoint not Completed by its creation time plus that
 * many seconds (on the operator's clock) has its agent job cancelled — the agent stops the work and
 * discards what it stored, and the manifest, written last, never is — and ends Failed with reason
 * DeadlineExceeded. A job the agent reports SUCCEEDED when asked to cancel had written its manifest
 * already: that checkpoint is complete and ends Completed.
 */
final class CheckpointDeadline {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointDeadline.class);

  private final NodeAgents agents;
  private final CheckpointStatuses statuses;
  private final CheckpointProgress progress;
  private final Clock clock;

  CheckpointDeadline(
      NodeAgents agents, CheckpointStatuses statuses, CheckpointProgress progress, Clock clock) {
    this.agents = agents;
    this.statuses = statuses;
    this.progress = progress;
    this.clock = clock;
  }

  /** The time left until the deadline (zero or negative: passed); empty without a deadline. */
  Optional<Duration> remaining(Checkpoint checkpoint) {
    Long seconds = checkpoint.getSpec().getActiveDeadlineSeconds();
    Optional<Instant> created =
        StatusFactory.parse(checkpoint.getMetadata().getCreationTimestamp());
    if (seconds == null || created.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(clock.instant(), created.get().plusSeconds(seconds)));
  }

  /** Whether a Checkpoint that has not ended is past its deadline. */
  boolean passed(Checkpoint checkpoint, CheckpointStatus status) {
    return !status.getPhase().isFinal()
        && remaining(checkpoint).map(left -> !positive(left)).orElse(false);
  }

  /** The next look at a running Checkpoint: {@code next}, but no later than its deadline. */
  Duration lookAgain(Checkpoint checkpoint, Duration next) {
    Optional<Duration> left = remaining(checkpoint).filter(CheckpointDeadline::positive);
    return left.isPresent() && left.get().compareTo(next) < 0 ? left.get() : next;
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  /** The deadline passed: cancel the job, and fail (or complete, if it finished first). */
  ReconcileStep<CheckpointStatus> exceeded(Checkpoint checkpoint, CheckpointStatus status) {
    Optional<AgentJob> job = cancel(checkpoint, status);
    if (job.isPresent() && job.get().state() == AgentJob.State.SUCCEEDED) {
      return progress.apply(checkpoint, status, job.get());
    }
    return ReconcileStep.done(
        statuses.failed(
            status,
            Reasons.DEADLINE_EXCEEDED,
            "not Completed within activeDeadlineSeconds ("
                + checkpoint.getSpec().getActiveDeadlineSeconds()
                + "s after creation) while "
                + status.getPhase()
                + (job.isPresent()
                    ? "; the agent's job was cancelled and nothing was kept in storage"
                    : "")));
  }

  private Optional<AgentJob> cancel(Checkpoint checkpoint, CheckpointStatus status) {
    if (!CheckpointStart.started(status) || status.getNodeName() == null) {
      return Optional.empty();
    }
    try {
      return agents.cancel(status.getNodeName(), checkpoint.getMetadata().getUid());
    } catch (AgentException e) {
      LOG.warn(
          "deadline passed; could not cancel the job on node {}: {}",
          status.getNodeName(),
          e.getMessage());
      return Optional.empty();
    }
  }
}
