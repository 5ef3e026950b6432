package dev.stasis.controller;

import static dev.stasis.controller.CheckpointScheduleTest.awaitCondition;
import static dev.stasis.controller.CheckpointScheduleTest.checkpoints;
import static dev.stasis.controller.CheckpointScheduleTest.completed;
import static dev.stasis.controller.CheckpointScheduleTest.condition;
import static dev.stasis.controller.CheckpointScheduleTest.events;
import static dev.stasis.controller.CheckpointScheduleTest.firstHour;
import static dev.stasis.controller.CheckpointScheduleTest.names;
import static dev.stasis.controller.CheckpointScheduleTest.schedule;
import static dev.stasis.controller.CheckpointScheduleTest.stamp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import dev.stasis.testsupport.time.SettableClock;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs missed while the operator was down, as a CronJob: only the newest one is considered; it runs
 * once when the operator is back, or is skipped (LastRun Missed) when later than
 * startingDeadlineSeconds.
 */
class CheckpointScheduleRestartTest {
  @TempDir Path tmp;

  @Test
  void afterARestartOnlyTheNewestMissedRunRunsAndOnlyWithinTheStartingDeadline() {
    SettableClock clock = new SettableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    try (MockCluster cluster = new MockCluster(new InMemoryStorage(), tmp)) {
      cluster.node("n1", "kind://n1", Map.of(), true);
      cluster.defaultStorage();
      cluster.namespace("app");
      cluster.pod("app", "web", "n1", "Running", Map.of(), "web");
      StasisOperator first = cluster.startOperator(MockCluster.settings(), clock);
      Instant h1 =
          firstHour(schedule(cluster, "app", "a", "  schedule: '0 * * * *'\n  podName: web\n"));
      schedule(
          cluster,
          "app",
          "b",
          "  schedule: '0 * * * *'\n  podName: web\n  startingDeadlineSeconds: 300\n");
      awaitCondition(cluster, "app", "a", "Ready", "Scheduling");
      awaitCondition(cluster, "app", "b", "Ready", "Scheduling");
      clock.set(h1.plusSeconds(5));
      completed(cluster, "app", "a-" + stamp(h1));
      completed(cluster, "app", "b-" + stamp(h1));

      first.close();
      // Down over three runs; back 10 minutes after the newest (h4).
      Instant h4 = h1.plus(Duration.ofHours(3));
      clock.set(h4.plus(Duration.ofMinutes(10)));
      cluster.startOperator(MockCluster.settings(), clock);

      completed(cluster, "app", "a-" + stamp(h4));
      CheckpointSchedule b = awaitCondition(cluster, "app", "b", "LastRun", "Missed");
      assertThat(condition(b, "LastRun").getMessage())
          .isEqualTo(
              "the run of "
                  + h4
                  + " was missed (the operator was not running or could not run it) and is later"
                  + " than startingDeadlineSeconds 300 allows: skipped");
      assertThat(b.getStatus().getLastScheduleTime()).isEqualTo(h1.toString());
      assertThat(b.getStatus().getNextScheduleTime())
          .isEqualTo(h4.plus(Duration.ofHours(1)).toString());
      assertThat(names(checkpoints(cluster, "app")))
          .as("one catch-up run of a, none of b")
          .containsExactly("a-" + stamp(h1), "a-" + stamp(h4), "b-" + stamp(h1));
      assertThat(events(cluster, "app", "b"))
          .filteredOn(e -> e.getReason().equals("Missed"))
          .singleElement()
          .extracting(Event::getType)
          .isEqualTo("Warning");

      // The next run is on time again for both.
      Instant h5 = h4.plus(Duration.ofHours(1));
      clock.set(h5.plusSeconds(5));
      completed(cluster, "app", "a-" + stamp(h5));
      completed(cluster, "app", "b-" + stamp(h5));
      assertThat(checkpoints(cluster, "app")).hasSize(5);
    }
  }
}
