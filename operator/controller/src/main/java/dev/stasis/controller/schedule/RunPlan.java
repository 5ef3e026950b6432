package dev.stasis.controller.schedule;

import java.time.Instant;

/**
 * Where a CheckpointSchedule stands now: the state its reconciler switches on, the run time it is
 * about (the due or missed run), the next run time, and why it cannot run.
 */
record RunPlan(State state, Instant runTime, Instant next, CronSchedule.Problem problem) {

  /** The states of a schedule; {@link CheckpointScheduleReconciler} has one step for each. */
  enum State {
    /** The cron line or the time zone cannot be read: no runs until the spec changes. */
    INVALID,
    /** spec.suspend: no new runs. */
    SUSPENDED,
    /** No run is due: wait for the next one. */
    WAITING,
    /** A run is due (on time, or the newest missed one within startingDeadlineSeconds). */
    DUE,
    /** The newest missed run is later than startingDeadlineSeconds allows: skipped. */
    MISSED
  }

  static RunPlan invalid(CronSchedule.Problem problem) {
    return new RunPlan(State.INVALID, null, null, problem);
  }

  static RunPlan suspended() {
    return new RunPlan(State.SUSPENDED, null, null, null);
  }
}
