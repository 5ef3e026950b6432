package dev.stasis.controller.schedule;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointScheduleSpec;
import dev.stasis.api.v1alpha1.CheckpointScheduleStatus;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.workload.TargetPods;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place a CheckpointSchedule's status is written: one method per state of the schedule
 * (invalid, suspended, waiting, missed, a due run's outcome) and what its Checkpoints show (active,
 * last successful), with the times from the {@link StatusFactory}'s clock.
 */
final class CheckpointScheduleStatuses {
  /** Condition type: how the newest run went. */
  static final String LAST_RUN = "LastRun";

  // Reasons of Ready (besides CronSchedule's InvalidSchedule and UnknownTimeZone).
  static final String SCHEDULING = "Scheduling";
  static final String SUSPENDED = "Suspended";
  static final String NO_TARGET_PODS = "NoTargetPods";

  // Reasons of LastRun.
  static final String SCHEDULED = "Scheduled";
  static final String REPLACED = "Replaced";
  static final String SKIPPED = "Skipped";
  static final String MISSED = "Missed";

  private final StatusFactory factory;

  CheckpointScheduleStatuses(StatusFactory factory) {
    this.factory = factory;
  }

  /** A deep copy of the current status to change, with the target as people say it. */
  CheckpointScheduleStatus current(CheckpointSchedule schedule) {
    CheckpointScheduleStatus status =
        StatusFactory.copy(
            schedule.getStatus(),
            CheckpointScheduleStatus::new,
            schedule.getMetadata().getGeneration());
    CheckpointScheduleSpec spec = schedule.getSpec();
    status.setTarget(
        spec.getPodName() == null && spec.getSelector() == null && spec.getWorkloadRef() == null
            ? null
            : TargetPods.describe(spec.getPodName(), spec.getSelector(), spec.getWorkloadRef()));
    return status;
  }

  /** The cron line or the zone cannot be read: no runs. */
  CheckpointScheduleStatus invalid(CheckpointScheduleStatus status, CronSchedule.Problem problem) {
    status.setNextScheduleTime(null);
    status.setMessage(problem.message());
    factory.set(status, Reasons.READY, false, problem.reason(), problem.message());
    return status;
  }

  /** spec.suspend: no new runs, no next run. */
  CheckpointScheduleStatus suspended(CheckpointScheduleStatus status) {
    String message = "suspended: no new runs until spec.suspend is false";
    status.setNextScheduleTime(null);
    status.setMessage(message);
    factory.set(status, Reasons.READY, false, SUSPENDED, message);
    return status;
  }

  /** Nothing due: the next run time. */
  CheckpointScheduleStatus waiting(
      CheckpointSchedule schedule, CheckpointScheduleStatus status, RunPlan plan) {
    String message =
        plan.next() == null
            ? "the schedule '" + schedule.getSpec().getSchedule() + "' has no further run"
            : "next run at " + plan.next() + zoneNote(schedule);
    status.setNextScheduleTime(plan.next() == null ? null : plan.next().toString());
    status.setMessage(message);
    factory.set(status, Reasons.READY, true, SCHEDULING, message);
    return status;
  }

  /** The newest missed run is later than startingDeadlineSeconds allows. */
  CheckpointScheduleStatus missed(
      CheckpointSchedule schedule, CheckpointScheduleStatus status, RunPlan plan) {
    waiting(schedule, status, plan);
    factory.set(
        status,
        LAST_RUN,
        false,
        MISSED,
        "the run of "
            + plan.runTime()
            + " was missed (the operator was not running or could not run it) and is later"
            + " than startingDeadlineSeconds "
            + schedule.getSpec().getStartingDeadlineSeconds()
            + " allows: skipped");
    return status;
  }

  /** What became of a due run. */
  CheckpointScheduleStatus ran(
      CheckpointSchedule schedule,
      CheckpointScheduleStatus status,
      RunPlan plan,
      ScheduledRun.Outcome outcome) {
    if (outcome.kind() == ScheduledRun.Outcome.Kind.NO_TARGET) {
      status.setNextScheduleTime(plan.next() == null ? null : plan.next().toString());
    } else {
      waiting(schedule, status, plan);
    }
    Instant run = plan.runTime();
    switch (outcome.kind()) {
      case CREATED -> {
        status.setLastScheduleTime(run.toString());
        factory.set(
            status,
            LAST_RUN,
            true,
            SCHEDULED,
            "created Checkpoint " + outcome.checkpoint() + " for the run of " + run);
      }
      case REPLACED -> {
        status.setLastScheduleTime(run.toString());
        factory.set(
            status,
            LAST_RUN,
            true,
            REPLACED,
            "deleted the active "
                + String.join(", ", outcome.others())
                + " (concurrencyPolicy Replace) and created Checkpoint "
                + outcome.checkpoint()
                + " for the run of "
                + run);
      }
      case FORBIDDEN ->
          factory.set(
              status,
              LAST_RUN,
              false,
              SKIPPED,
              "the run of "
                  + run
                  + " waits: "
                  + String.join(", ", outcome.others())
                  + " still active (concurrencyPolicy Forbid)");
      case NO_TARGET -> {
        String message = "the run of " + run + " waits: " + outcome.problem();
        status.setMessage(message);
        factory.set(status, Reasons.READY, false, NO_TARGET_PODS, outcome.problem());
        factory.set(status, LAST_RUN, false, SKIPPED, message);
      }
    }
    return status;
  }

  /** What the schedule's Checkpoints show: the active ones and the newest Completed one. */
  CheckpointScheduleStatus observed(
      CheckpointScheduleStatus status, ScheduledCheckpoints checkpoints) {
    List<String> active =
        new ArrayList<>(checkpoints.active().stream().map(c -> c.getMetadata().getName()).toList());
    status.setActive(active);
    status.setActiveCount(active.size());
    checkpoints
        .lastSuccessful()
        .ifPresent(
            (Checkpoint c) -> {
              status.setLastSuccessfulCheckpoint(c.getMetadata().getName());
              status.setLastSuccessfulTime(ScheduledCheckpoints.runTime(c).toString());
            });
    return status;
  }

  private static String zoneNote(CheckpointSchedule schedule) {
    String zone = schedule.getSpec().getTimeZone();
    return " (schedule '"
        + schedule.getSpec().getSchedule()
        + "' in "
        + (zone == null || zone.isBlank() ? "UTC" : zone)
        + ")";
  }
}
