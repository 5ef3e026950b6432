package dev.stasis.controller.schedule;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointScheduleStatus;
import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.workload.TargetPods;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Reconciles CheckpointSchedules. Thin: finds where the schedule stands ({@link RunPlanner}), takes
 * the step for that state, applies retention and writes the status.
 *
 * <pre>
 *   INVALID   (cron line or zone unreadable) --> Ready=False InvalidSchedule/UnknownTimeZone, no runs
 *   SUSPENDED (spec.suspend)                 --> Ready=False Suspended, no next run
 *   WAITING   (no run due)                   --> look again at the next run time
 *   DUE       (newest run time not yet run)  --{@link ScheduledRun}--> Checkpoint created
 *             (or Forbid: skipped while one is active; Replace: active ones deleted first)
 *   MISSED    (newest run later than startingDeadlineSeconds) --> LastRun=False Missed
 *   then, always: {@link ScheduleRetention} (keepLast, keepWithin)
 * </pre>
 *
 * The schedule's Checkpoints are watched (an informer mapping them to their owner), so a run that
 * ends, or one deleted, brings the schedule back here; otherwise it looks again at its next run
 * time, and at least every {@link OperatorSettings#scheduleCheckInterval()}. Every status is built
 * by {@link CheckpointScheduleStatuses}.
 *
 * <p>The status is the schedule's memory of which runs ran (lastScheduleTime), so it is never
 * decided from a stale copy: each reconcile reads the schedule from the API server (the informer's
 * copy can lag behind the status just written) and writes the status with that read's
 * resourceVersion; a conflict is retried by JOSDK with a fresh read.
 */
@ControllerConfiguration(name = CheckpointScheduleReconciler.NAME)
public class CheckpointScheduleReconciler implements Reconciler<CheckpointSchedule> {
  public static final String NAME = "checkpointschedule";

  private final KubernetesClient client;
  private final StatusFactory statusFactory;
  private final CheckpointScheduleStatuses statuses;
  private final RunPlanner planner = new RunPlanner();
  private final ScheduledRun runs;
  private final ScheduleRetention retention;
  private final ScheduleEvents events;
  private final Duration checkInterval;

  public CheckpointScheduleReconciler(
      KubernetesClient client,
      OperatorSettings settings,
      StatusFactory statusFactory,
      EventRecorder events) {
    this.client = client;
    this.statusFactory = statusFactory;
    this.statuses = new CheckpointScheduleStatuses(statusFactory);
    this.runs = new ScheduledRun(client, new TargetPods(client), events);
    this.retention = new ScheduleRetention(client, events);
    this.events = new ScheduleEvents(events);
    this.checkInterval = settings.scheduleCheckInterval();
  }

  @Override
  public List<EventSource<?, CheckpointSchedule>> prepareEventSources(
      EventSourceContext<CheckpointSchedule> context) {
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Checkpoint.class, CheckpointSchedule.class)
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(
                    Mappers.fromOwnerReferences(CheckpointSchedule.class, false))
                .build(),
            context));
  }

  @Override
  public UpdateControl<CheckpointSchedule> reconcile(
      CheckpointSchedule cached, Context<CheckpointSchedule> context) {
    CheckpointSchedule schedule = client.resource(cached).get();
    if (schedule == null) {
      return UpdateControl.noUpdate();
    }
    Instant now = statusFactory.now();
    RunPlan plan = planner.plan(schedule, now);
    CheckpointScheduleStatus status = statuses.current(schedule);
    ScheduledCheckpoints checkpoints = ScheduledCheckpoints.of(client, schedule);
    status =
        switch (plan.state()) {
          case INVALID -> statuses.invalid(status, plan.problem());
          case SUSPENDED -> statuses.suspended(status);
          case WAITING -> statuses.waiting(schedule, status, plan);
          case MISSED -> statuses.missed(schedule, status, plan);
          case DUE ->
              statuses.ran(schedule, status, plan, runs.run(schedule, plan.runTime(), checkpoints));
        };
    boolean pruned = retention.apply(schedule, checkpoints, now);
    if (pruned || plan.state() == RunPlan.State.DUE) {
      checkpoints = ScheduledCheckpoints.of(client, schedule);
    }
    return write(schedule, statuses.observed(status, checkpoints), nextLook(plan, now));
  }

  /** Writes the status when it changed (optimistic locking), and looks again when asked to. */
  private UpdateControl<CheckpointSchedule> write(
      CheckpointSchedule schedule, CheckpointScheduleStatus status, Duration next) {
    events.publish(schedule, status);
    if (schedule.getStatus() == null
        || !Serialization.asJson(schedule.getStatus()).equals(Serialization.asJson(status))) {
      schedule.setStatus(status);
      client.resource(schedule).updateStatus();
    }
    UpdateControl<CheckpointSchedule> control = UpdateControl.noUpdate();
    return next == null ? control : control.rescheduleAfter(next);
  }

  /** Until the next run time, at most the check interval; never for an invalid schedule. */
  private Duration nextLook(RunPlan plan, Instant now) {
    if (plan.state() == RunPlan.State.INVALID) {
      return null;
    }
    if (plan.next() == null) {
      return checkInterval;
    }
    Duration untilNext = Duration.between(now, plan.next());
    Duration wait = untilNext.compareTo(checkInterval) < 0 ? untilNext : checkInterval;
    return wait.isNegative() || wait.isZero() ? Duration.ofMillis(100) : wait;
  }
}
