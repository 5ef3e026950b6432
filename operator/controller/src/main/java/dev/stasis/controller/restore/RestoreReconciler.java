package dev.stasis.controller.restore;

import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.agent.NodeAgents;
import dev.stasis.controller.metrics.StasisMetrics;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.ReconcileError;
import dev.stasis.controller.status.ReconcileStep;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.status.StatusWriter;
import dev.stasis.controller.storage.Storages;
import dev.stasis.controller.workload.WorkloadRestore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Optional;

/**
 * Reconciles Restores. Thin: picks the step for the current phase and writes what it decided.
 *
 * <pre>
 *   Pending --{@link SourceResolver}, {@link RestoreAgentJob#start}--> Downloading
 *     --{@link RestoreAgentJob#follow}--> Restoring (images being pushed)
 *     --{@link RestoredPodCreator} once the images are pushed--> Restoring (pod created)
 *     --{@link RestoredPodFollower}--> Running
 *   any of them --> Failed (a {@link RestoreFailure}: reason on the Ready condition)
 *   (source a workload checkpoint) --{@link WorkloadRestore}: one Restore per pod-->
 *     Downloading / Restoring --> Running / Failed
 * </pre>
 *
 * A Restore whose Checkpoint has not completed yet stays Pending and is looked at again. Every
 * status is built by {@link RestoreStatuses}.
 */
@ControllerConfiguration(name = RestoreReconciler.NAME)
public class RestoreReconciler implements Reconciler<Restore> {
  public static final String NAME = "restore";
  private static final Duration WAIT_FOR_CHECKPOINT = Duration.ofSeconds(5);

  private final RestoreStatuses statuses;
  private final SourceResolver sources;
  private final RestoreAgentJob jobs;
  private final RestoredPodCreator pods;
  private final RestoredPodFollower podFollower;
  private final WorkloadRestore workload;
  private final RestorePhaseEvents phaseEvents;
  private final StatusWriter writer;
  private final Duration pollInterval;

  public RestoreReconciler(
      KubernetesClient client,
      OperatorSettings settings,
      StatusFactory statusFactory,
      EventRecorder events,
      StasisMetrics metrics,
      NodeAgents agents,
      Storages storages) {
    this.statuses = new RestoreStatuses(statusFactory);
    this.sources = new SourceResolver(client, storages);
    this.jobs = new RestoreAgentJob(client, settings, agents, statuses);
    this.pods = new RestoredPodCreator(client, storages, events);
    this.podFollower = new RestoredPodFollower(client, settings.pollInterval(), statuses);
    this.workload = new WorkloadRestore(client, statusFactory, settings.pollInterval());
    this.phaseEvents = new RestorePhaseEvents(events, metrics);
    this.writer = new StatusWriter(client);
    this.pollInterval = settings.pollInterval();
  }

  @Override
  public UpdateControl<Restore> reconcile(Restore restore, Context<Restore> context) {
    RestoreStatus status = statuses.current(restore);
    Optional<String> workloadSource =
        status.getPhase().isFinal() ? Optional.empty() : workload.source(restore, status);
    if (workloadSource.isPresent()) {
      return advance(restore, status, () -> workload.run(restore, status, workloadSource.get()));
    }
    return switch (status.getPhase()) {
      case Pending -> advance(restore, status, () -> start(restore, status));
      case Downloading -> advance(restore, status, () -> followJob(restore, status));
      case Restoring ->
          advance(
              restore,
              status,
              () ->
                  status.getRestoredPod() == null
                      ? followJob(restore, status)
                      : podFollower.follow(restore, status));
      case Running, Failed -> UpdateControl.noUpdate();
    };
  }

  /** One step of the state machine; a {@link RestoreFailure} ends the Restore Failed. */
  private interface Step {
    ReconcileStep<RestoreStatus> run() throws RestoreFailure;
  }

  /** Runs a step, writes what it decided, and looks again when it asks to. */
  private UpdateControl<Restore> advance(Restore restore, RestoreStatus status, Step step) {
    ReconcileStep<RestoreStatus> next;
    try {
      next = step.run();
    } catch (RestoreFailure f) {
      next = ReconcileStep.done(statuses.failed(status, f.reason(), f.getMessage()));
    }
    RestorePhase before = phaseOf(restore);
    phaseEvents.publish(restore, before, next.status());
    UpdateControl<Restore> control =
        writer.update(restore, before == null, next.status(), Restore::new);
    return next.requeue() == null ? control : control.rescheduleAfter(next.requeue());
  }

  /** Pending: find the checkpoint, choose the node and start the agent's job there. */
  private ReconcileStep<RestoreStatus> start(Restore restore, RestoreStatus status)
      throws RestoreFailure {
    RestoreSource source;
    try {
      source = sources.resolve(restore);
    } catch (RestoreWait w) {
      return ReconcileStep.again(
          statuses.waitingForSource(status, w.getMessage()), WAIT_FOR_CHECKPOINT);
    }
    statuses.sourceResolved(status, source);
    return afterJob(restore, status, jobs.start(restore, status, source));
  }

  /** Downloading, or Restoring without a pod yet: ask the agent how the job goes. */
  private ReconcileStep<RestoreStatus> followJob(Restore restore, RestoreStatus status)
      throws RestoreFailure {
    return afterJob(restore, status, jobs.follow(restore, status));
  }

  /** Polls a running job; creates the pod once the images are pushed. */
  private ReconcileStep<RestoreStatus> afterJob(Restore restore, RestoreStatus status, AgentJob job)
      throws RestoreFailure {
    switch (job.state()) {
      case QUEUED, RUNNING -> {
        return ReconcileStep.again(statuses.jobRunning(status, job), pollInterval);
      }
      case SUCCEEDED -> {
        statuses.imagesPushed(status, job);
        String pod = pods.create(restore, status).getMetadata().getName();
        return ReconcileStep.again(statuses.podCreated(status, pod), pollInterval);
      }
      default -> throw new RestoreFailure(job.failureReason(), job.failureMessage());
    }
  }

  @Override
  public ErrorStatusUpdateControl<Restore> updateErrorStatus(
      Restore restore, Context<Restore> context, Exception e) {
    RestorePhase before = phaseOf(restore);
    if (before != null && before.isFinal()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    RestoreStatus status = statuses.current(restore);
    ReconcileError error = ReconcileError.of(e, context.getRetryInfo());
    if (error.giveUp()) {
      statuses.failed(status, error.reason(), error.message());
      phaseEvents.publish(restore, before, status);
      return writer.updateOnError(restore, before == null, status, Restore::new).withNoRetry();
    }
    return writer.updateOnError(
        restore, before == null, statuses.retrying(status, error), Restore::new);
  }

  private static RestorePhase phaseOf(Restore restore) {
    return restore.getStatus() == null ? null : restore.getStatus().getPhase();
  }
}
