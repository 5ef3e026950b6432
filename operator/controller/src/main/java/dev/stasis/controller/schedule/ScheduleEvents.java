package dev.stasis.controller.schedule;

import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointScheduleStatus;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Events of a schedule's conditions: when Ready or LastRun turns False, or says something new
 * while False (an invalid schedule, an unknown zone, no target pods, a skipped or missed run), one
 * Event with the condition's reason and message; a condition that stays the same, reconcile after
 * reconcile, makes no more. (The runs themselves are announced by {@link ScheduledRun}.)
 */
final class ScheduleEvents {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleEvents.class);

  private final EventRecorder events;

  ScheduleEvents(EventRecorder events) {
    this.events = events;
  }

  void publish(CheckpointSchedule schedule, CheckpointScheduleStatus after) {
    CheckpointScheduleStatus before = schedule.getStatus();
    for (String type : new String[] {Reasons.READY, CheckpointScheduleStatuses.LAST_RUN}) {
      Optional<Condition> now = after.condition(type);
      if (now.isEmpty() || !StatusFactory.FALSE.equals(now.get().getStatus())) {
        continue;
      }
      Optional<Condition> was = before == null ? Optional.empty() : before.condition(type);
      if (was.isPresent() && same(was.get(), now.get())) {
        continue;
      }
      Condition c = now.get();
      LOG.info(
          "schedule {}/{}: {} {}",
          schedule.getMetadata().getNamespace(),
          schedule.getMetadata().getName(),
          c.getReason(),
          c.getMessage());
      if (CheckpointScheduleStatuses.SUSPENDED.equals(c.getReason())) {
        events.normal(schedule, c.getReason(), "Schedule", c.getMessage());
      } else {
        events.warning(schedule, c.getReason(), "Schedule", c.getMessage());
      }
    }
  }

  private static boolean same(Condition a, Condition b) {
    return Objects.equals(a.getStatus(), b.getStatus())
        && Objects.equals(a.getReason(), b.getReason())
        && Objects.equals(a.getMessage(), b.getMessage());
  }
}
