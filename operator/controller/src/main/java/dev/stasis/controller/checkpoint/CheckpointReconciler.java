package dev.stasis.controller.checkpoint;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.agent.NodeAgents;
import dev.stasis.controller.metrics.StasisMetrics;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.ReconcileError;
import dev.stasis.controller.status.ReconcileStep;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.status.StatusWriter;
import dev.stasis.controller.storage.Storages;
import dev.stasis.controller.workload.WorkloadCheckpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Optional;

/**
 * Reconciles Checkpoints. Thin: picks the step for the current phase and writes what it decided.
 *
 * <pre>
 *   Pending --{@link CheckpointStart}--> Checkpointing --{@link CheckpointProgress}--> Uploading
 *     --{@link CheckpointProgress}--> Completed --{@link CheckpointEndOfLife}--> (pod deleted,
 *     ttl) deleted, or Expired in place when a GitOps tool tracks it
 *   any of them --> Failed (reason on the Ready condition)
 *   Pending, Checkpointing, Uploading past activeDeadlineSeconds --{@link CheckpointDeadline}-->
 *     Failed (DeadlineExceeded, the job cancelled)
 *   (imported) --{@link CheckpointImport}--> Completed
 *   (no spec.podName: a workload) --{@link WorkloadCheckpoint}: one Checkpoint per pod-->
 *     Checkpointing --> Completed / Failed
 * </pre>
 *
 * Deleting a Checkpoint runs {@link #cleanup} ({@link CheckpointEndOfLife#release}): deletionPolicy
 * Delete removes its objects from storage, Retain keeps them. Every status is built by {@link
 * CheckpointStatuses}.
 */
@ControllerConfiguration(name = CheckpointReconciler.NAME, finalizerName = Stasis.FINALIZER)
public class CheckpointReconciler implements Reconciler<Checkpoint>, Cleaner<Checkpoint> {
  public static final String NAME = "checkpoint";

  private final CheckpointStatuses statuses;
  private final CheckpointStart start;
  private final CheckpointProgress progress;
  private final CheckpointImport importer;
  private final WorkloadCheckpoint workload;
  private final CheckpointEndOfLife endOfLife;
  private final CheckpointDeadline deadline;
  private final CheckpointPhaseEvents phaseEvents;
  private final StatusWriter writer;
  private final Duration storageRetry;

  public CheckpointReconciler(
      KubernetesClient client,
      OperatorSettings settings,
      StatusFactory statusFactory,
      EventRecorder events,
      StasisMetrics metrics,
      NodeAgents agents,
      Storages storages) {
    this.statuses = new CheckpointStatuses(statusFactory);
    this.progress = new CheckpointProgress(agents, settings.pollInterval(), statuses);
    this.start = new CheckpointStart(client, settings, agents, storages, statuses, progress);
    this.importer = new CheckpointImport(client, storages, statuses);
    this.workload = new WorkloadCheckpoint(client, statusFactory, settings.pollInterval());
    this.endOfLife =
        new CheckpointEndOfLife(client, events, agents, storages, statuses, statusFactory.clock());
    this.deadline = new CheckpointDeadline(agents, statuses, progress, statusFactory.clock());
    this.phaseEvents = new CheckpointPhaseEvents(events, metrics);
    this.writer = new StatusWriter(client);
    this.storageRetry = settings.storageCheckInterval();
  }

  @Override
  public UpdateControl<Checkpoint> reconcile(Checkpoint checkpoint, Context<Checkpoint> context) {
    CheckpointStatus status = statuses.current(checkpoint);
    if (CheckpointAnnotations.isImported(checkpoint) && !status.getPhase().isFinal()) {
      return advance(checkpoint, importer.run(checkpoint, status));
    }
    if (WorkloadCheckpoint.targets(checkpoint) && !status.getPhase().isFinal()) {
      // A workload's deadline is kept by its pods' Checkpoints, which copy activeDeadlineSeconds.
      return advance(checkpoint, workload.run(checkpoint, status));
    }
    if (deadline.passed(checkpoint, status)) {
      return advance(checkpoint, deadline.exceeded(checkpoint, status));
    }
    return switch (status.getPhase()) {
      case Pending -> advance(checkpoint, start.run(checkpoint, status));
      case Checkpointing, Uploading -> advance(checkpoint, progress.run(checkpoint, status));
      case Completed, Failed -> ended(checkpoint, status);
    };
  }

  /** Writes what a step decided, and looks again when it asks to or when the end needs it. */
  private UpdateControl<Checkpoint> advance(
      Checkpoint checkpoint, ReconcileStep<CheckpointStatus> step) {
    CheckpointPhase before = phaseOf(checkpoint);
    phaseEvents.publish(checkpoint, before, step.status());
    Duration next = step.requeue();
    if (next == null && step.status().getPhase().isFinal()) {
      next = endOfLife.nextLook(checkpoint, step.status()).orElse(null);
    } else if (next != null) {
      next = deadline.lookAgain(checkpoint, next);
    }
    UpdateControl<Checkpoint> control =
        writer.update(checkpoint, before == null, step.status(), Checkpoint::new);
    return next == null ? control : control.rescheduleAfter(next);
  }

  /**
   * Completed or Failed: delete the pod if asked, then wait for the ttl (and delete, or expire in
   * place what a GitOps tool tracks).
   */
  private UpdateControl<Checkpoint> ended(Checkpoint checkpoint, CheckpointStatus status) {
    if (endOfLife.podDeletionDue(checkpoint, status)) {
      CheckpointStatus updated = endOfLife.deletePod(checkpoint, status);
      UpdateControl<Checkpoint> control =
          writer.update(checkpoint, false, updated, Checkpoint::new);
      return endOfLife.nextLook(checkpoint, updated).map(control::rescheduleAfter).orElse(control);
    }
    Optional<Duration> ttl = endOfLife.ttlRemaining(checkpoint, status);
    if (ttl.isPresent() && ttl.get().compareTo(Duration.ZERO) <= 0) {
      Optional<String> tracked = GitOpsTracking.trackedBy(checkpoint);
      if (tracked.isEmpty()) {
        endOfLife.expire(checkpoint);
        return UpdateControl.noUpdate();
      }
      return endOfLife
          .expireInPlace(checkpoint, status, tracked.get())
          .map(expired -> writer.update(checkpoint, false, expired, Checkpoint::new))
          .orElseGet(() -> UpdateControl.<Checkpoint>noUpdate().rescheduleAfter(storageRetry));
    }
    UpdateControl<Checkpoint> control = UpdateControl.noUpdate();
    return ttl.map(control::rescheduleAfter).orElse(control);
  }

  @Override
  public ErrorStatusUpdateControl<Checkpoint> updateErrorStatus(
      Checkpoint checkpoint, Context<Checkpoint> context, Exception e) {
    CheckpointPhase before = phaseOf(checkpoint);
    if (before != null && before.isFinal()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    CheckpointStatus status = statuses.current(checkpoint);
    ReconcileError error = ReconcileError.of(e, context.getRetryInfo());
    if (error.giveUp()) {
      statuses.failed(status, error.reason(), error.gaveUpMessage());
      phaseEvents.publish(checkpoint, before, status);
      return writer
          .updateOnError(checkpoint, before == null, status, Checkpoint::new)
          .withNoRetry();
    }
    return writer.updateOnError(
        checkpoint, before == null, statuses.retrying(status, error), Checkpoint::new);
  }

  @Override
  public DeleteControl cleanup(Checkpoint checkpoint, Context<Checkpoint> context) {
    return endOfLife.release(checkpoint)
        ? DeleteControl.defaultDelete()
        : DeleteControl.noFinalizerRemoval().rescheduleAfter(storageRetry);
  }

  private static CheckpointPhase phaseOf(Checkpoint checkpoint) {
    return checkpoint.getStatus() == null ? null : checkpoint.getStatus().getPhase();
  }
}
