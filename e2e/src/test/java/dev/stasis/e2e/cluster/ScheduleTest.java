package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import dev.stasis.testsupport.time.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/schedules.md with samples/schedule.yaml: the schedule of the sample workload, its next run
 * reached by moving the operator's clock (not by waiting six hours), a Completed Checkpoint owned
 * by the schedule and stored, and what {@code kubectl get checkpointschedules} then shows.
 */
class ScheduleTest {
  static final String NS = "scheduled";
  static final String NODE = "worker-1";
  static final String SCHEDULE = "counter-every-6h";
  static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);

  @TempDir static Path tmp;
  static InJvmCluster cluster;
  static final SettableClock clock =
      new SettableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  @BeforeAll
  static void install() {
    cluster = new InJvmCluster("a", tmp.resolve("cluster"));
    cluster.node(NODE, Cloud.PLAIN, 1 << 20, Map.of());
    cluster.startOperator(clock);
    cluster.applySample("storage-filesystem.yaml", null);
    Users.awaitStoragesAvailable(cluster, "node-local");
    cluster.namespace(NS);
    cluster.applyWorkload(NS, NODE);
    Users.awaitPodRunning(cluster, NS, "counter");
  }

  @AfterAll
  static void uninstall() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static JsonNode schedule() {
    return cluster.kubectl.stasis("CheckpointSchedule", NS, SCHEDULE);
  }

  @Test
  void theSampleScheduleCheckpointsTheWorkloadAtItsNextRun() {
    cluster.applySample("schedule.yaml", NS);
    JsonNode waiting =
        Await.until(
            ScheduleTest::schedule,
            s -> "Scheduling".equals(Await.readyReason(s)),
            Users.TIMEOUT,
            "the schedule Ready");
    assertThat(waiting.path("status").path("target").asText()).isEqualTo("pod counter");
    // The first run after the schedule was created (the next of "0 */6 * * *" in Berlin).
    Instant created = Instant.parse(waiting.path("metadata").path("creationTimestamp").asText());
    Instant next = Instant.parse(waiting.path("status").path("nextScheduleTime").asText());
    assertThat(next).isAfter(created.minusSeconds(5)).isBefore(created.plus(Duration.ofHours(6)));
    assertThat(next.atZone(java.time.ZoneId.of("Europe/Berlin")).getHour() % 6).isZero();
    if (!next.isAfter(created)) {
      next = next.plus(Duration.ofHours(6));
    }

    clock.set(next.plusSeconds(3));
    String name = SCHEDULE + "-" + STAMP.format(next);
    JsonNode checkpoint = Users.awaitCompleted(cluster, NS, name);
    assertThat(checkpoint.path("spec").path("podName").asText()).isEqualTo("counter");
    assertThat(checkpoint.path("spec").path("deletionPolicy").asText()).isEqualTo("Delete");
    assertThat(checkpoint.path("metadata").path("labels").path("stasis.dev/schedule").asText())
        .isEqualTo(SCHEDULE);
    JsonNode owner = checkpoint.path("metadata").path("ownerReferences").get(0);
    assertThat(owner.path("kind").asText()).isEqualTo("CheckpointSchedule");
    assertThat(owner.path("uid").asText()).isEqualTo(waiting.path("metadata").path("uid").asText());
    assertThat(owner.path("controller").asBoolean()).isTrue();
    Stored.verify(checkpoint.path("status").path("path").asText());

    Instant run = next;
    JsonNode done =
        Await.until(
            ScheduleTest::schedule,
            s -> name.equals(s.path("status").path("lastSuccessfulCheckpoint").asText()),
            Users.TIMEOUT,
            "the schedule's status after the run");
    assertThat(done.path("status").path("lastScheduleTime").asText()).isEqualTo(run.toString());
    assertThat(done.path("status").path("nextScheduleTime").asText())
        .isEqualTo(run.plus(Duration.ofHours(6)).toString());
    assertThat(done.path("status").path("activeCount").asInt()).isZero();
    assertThat(Users.condition(done, "LastRun").path("reason").asText()).isEqualTo("Scheduled");
    List<JsonNode> all = cluster.kubectl.list("stasis.dev/v1alpha1", "Checkpoint", NS);
    assertThat(all).extracting(c -> c.path("metadata").path("name").asText()).containsExactly(name);
  }
}
