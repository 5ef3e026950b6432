package dev.stasis.controller;

import static dev.stasis.controller.CheckpointScheduleTest.awaitCondition;
import static dev.stasis.controller.CheckpointScheduleTest.checkpoints;
import static dev.stasis.controller.CheckpointScheduleTest.condition;
import static dev.stasis.controller.CheckpointScheduleTest.events;
import static dev.stasis.controller.CheckpointScheduleTest.schedule;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import dev.stasis.testsupport.crd.CrdValidator;
import dev.stasis.testsupport.time.SettableClock;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schedule the CRD let through but the operator cannot read: a cron line whose range runs
 * backwards (the CRD's pattern allows it), and a time zone the CRD of another release knew but this
 * operator's JVM does not (simulated by a CRD without the zone list: Helm never upgrades CRDs).
 * Ready=False with the reason, one Warning Event, no runs.
 */
class CheckpointScheduleInvalidTest {
  @TempDir Path tmp;

  @Test
  void anUnreadableScheduleOrZoneIsNotReadyAndNeverRuns() throws IOException {
    SettableClock clock = new SettableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    try (MockCluster cluster = new MockCluster(new InMemoryStorage(), tmp, crdsWithoutZoneList())) {
      cluster.node("n1", "kind://n1", Map.of(), true);
      cluster.namespace("app");
      cluster.pod("app", "web", "n1", "Running", Map.of(), "web");
      cluster.startOperator(MockCluster.settings(), clock);
      schedule(cluster, "app", "backwards", "  schedule: '30-10 * * * *'\n  podName: web\n");
      schedule(
          cluster,
          "app",
          "martian",
          "  schedule: '0 * * * *'\n  timeZone: Mars/Olympus_Mons\n  podName: web\n");

      CheckpointSchedule cron =
          awaitCondition(cluster, "app", "backwards", "Ready", "InvalidSchedule");
      assertThat(condition(cron, "Ready").getStatus()).isEqualTo("False");
      assertThat(condition(cron, "Ready").getMessage())
          .startsWith("schedule '30-10 * * * *' is not a cron line: ")
          .contains("Invalid range");
      assertThat(cron.getStatus().getNextScheduleTime()).isNull();
      CheckpointSchedule zone =
          awaitCondition(cluster, "app", "martian", "Ready", "UnknownTimeZone");
      assertThat(condition(zone, "Ready").getMessage())
          .startsWith("timeZone Mars/Olympus_Mons is not a time zone this operator knows");
      assertThat(zone.getStatus().getNextScheduleTime()).isNull();

      clock.set(clock.instant().plus(Duration.ofHours(3)));
      cluster
          .client
          .resources(CheckpointSchedule.class)
          .inNamespace("app")
          .withName("martian")
          .edit(
              s -> {
                s.getSpec().setKeepLast(5);
                return s;
              });
      awaitCondition(cluster, "app", "martian", "Ready", "UnknownTimeZone");
      assertThat(checkpoints(cluster, "app")).isEmpty();
      for (String name : new String[] {"backwards", "martian"}) {
        assertThat(events(cluster, "app", name))
            .as(name)
            .singleElement()
            .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"))
            .extracting(Event::getReason)
            .isIn("InvalidSchedule", "UnknownTimeZone");
      }
    }
  }

  /** The repository's CRDs, with the CheckpointSchedule's timeZone rule taken out. */
  private Path crdsWithoutZoneList() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("crds"));
    try (Stream<Path> files = Files.list(MockCluster.repoRoot().resolve("crds"))) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().startsWith("checkpointschedules")) {
          Files.copy(f, dir.resolve(f.getFileName()));
          continue;
        }
        ObjectNode crd = (ObjectNode) CrdValidator.readDocuments(f).get(0);
        ((ObjectNode)
                crd.at(
                    "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/timeZone"))
            .remove("x-kubernetes-validations");
        Files.writeString(dir.resolve(f.getFileName()), Serialization.asYaml(crd));
      }
    }
    return dir;
  }
}
