package dev.stasis.controller.schedule;

import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointScheduleSpec;
import dev.stasis.controller.status.StatusFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides, from the spec, the last run and the clock, whether a run is due, as the CronJob
 * controller does: only the newest run time since the last run (or since the schedule was created)
 * counts, however many were missed while the operator was down; it starts if it is no later than
 * {@code startingDeadlineSeconds} (no limit when unset), else it is missed.
 */
final class RunPlanner {

  RunPlan plan(CheckpointSchedule schedule, Instant now) {
    CheckpointScheduleSpec spec = schedule.getSpec();
    CronSchedule.Parsed parsed = CronSchedule.parse(spec.getSchedule(), spec.getTimeZone());
    if (parsed.problem() != null) {
      return RunPlan.invalid(parsed.problem());
    }
    if (Boolean.TRUE.equals(spec.getSuspend())) {
      return RunPlan.suspended();
    }
    CronSchedule cron = parsed.schedule();
    Instant next = cron.nextAfter(now).orElse(null);
    Instant since = lastRun(schedule);
    Optional<Instant> latest = cron.latestAtOrBefore(now).filter(t -> t.isAfter(since));
    if (latest.isEmpty()) {
      return new RunPlan(RunPlan.State.WAITING, null, next, null);
    }
    Long deadline = spec.getStartingDeadlineSeconds();
    boolean tooLate =
        deadline != null
            && Duration.between(latest.get(), now).compareTo(Duration.ofSeconds(deadline)) > 0;
    return new RunPlan(
        tooLate ? RunPlan.State.MISSED : RunPlan.State.DUE, latest.get(), next, null);
  }

  /** The time of the last run, or the schedule's creation when it has not run yet. */
  private static Instant lastRun(CheckpointSchedule schedule) {
    Optional<Instant> last =
        schedule.getStatus() == null
            ? Optional.empty()
            : StatusFactory.parse(schedule.getStatus().getLastScheduleTime());
    return last.or(() -> StatusFactory.parse(schedule.getMetadata().getCreationTimestamp()))
        .orElse(Instant.EPOCH);
  }
}
