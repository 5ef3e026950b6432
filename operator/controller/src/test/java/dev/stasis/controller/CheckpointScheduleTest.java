package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.DeletionPolicy;
import dev.stasis.api.v1alpha1.WorkloadKind;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import dev.stasis.testsupport.time.SettableClock;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CheckpointSchedules against the in-JVM API server, with the operator's clock in the test's hand:
 * runs on time, keepLast, Forbid, Replace, suspend, the targets, and the Events a user reads.
 */
class CheckpointScheduleTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  static MockCluster cluster;
  static InMemoryStorage storage = new InMemoryStorage();
  static SettableClock clock = new SettableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

  @BeforeAll
  static void start() {
    cluster = new MockCluster(storage, tmp);
    cluster.node("node-1", "kind://node-1", Map.of(), true);
    cluster.defaultStorage();
    cluster.startOperator(MockCluster.settings(), clock);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Each test starts at the real time, so that its schedules' creation is "now" for them. */
  @BeforeEach
  void resetClock() {
    clock.set(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  /** Each test's schedules stop with it, so that moving the clock only runs the next test's. */
  @AfterEach
  void deleteSchedules() {
    cluster.client.resources(CheckpointSchedule.class).inAnyNamespace().delete();
    cluster.agents.get("node-1").gates.values().forEach(CountDownLatch::countDown);
  }

  static CheckpointSchedule schedule(MockCluster on, String ns, String name, String spec) {
    return on.apply(
        CheckpointSchedule.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: CheckpointSchedule\nmetadata: {name: "
            + name
            + ", namespace: "
            + ns
            + "}\nspec:\n"
            + spec);
  }

  static CheckpointSchedule get(MockCluster on, String ns, String name) {
    return on.client.resources(CheckpointSchedule.class).inNamespace(ns).withName(name).get();
  }

  static List<Checkpoint> checkpoints(MockCluster on, String ns) {
    return on.client.resources(Checkpoint.class).inNamespace(ns).list().getItems().stream()
        .sorted(Comparator.comparing(c -> c.getMetadata().getName()))
        .toList();
  }

  static List<String> names(List<Checkpoint> checkpoints) {
    return checkpoints.stream().map(c -> c.getMetadata().getName()).toList();
  }

  /** The first full hour after the schedule was created: its first run of "0 * * * *". */
  static Instant firstHour(CheckpointSchedule schedule) {
    return Instant.parse(schedule.getMetadata().getCreationTimestamp())
        .truncatedTo(ChronoUnit.HOURS)
        .plus(Duration.ofHours(1));
  }

  static String stamp(Instant t) {
    return t.toString().replaceAll("[-T:]", "").substring(0, 12);
  }

  static Checkpoint completed(MockCluster on, String ns, String name) {
    return await(
        () -> on.client.resources(Checkpoint.class).inNamespace(ns).withName(name).get(),
        c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Completed,
        TIMEOUT,
        name + " Completed");
  }

  static Condition condition(CheckpointSchedule s, String type) {
    return s.getStatus().condition(type).orElseThrow();
  }

  static CheckpointSchedule awaitCondition(
      MockCluster on, String ns, String name, String type, String reason) {
    return await(
        () -> get(on, ns, name),
        s ->
            s.getStatus() != null
                && s.getStatus()
                    .condition(type)
                    .map(c -> reason.equals(c.getReason()))
                    .orElse(false),
        TIMEOUT,
        name + " " + type + " " + reason);
  }

  static List<Event> events(MockCluster on, String ns, String regarding) {
    return on.client.events().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> regarding.equals(e.getRegarding().getName()))
        .toList();
  }

  @Test
  void createsACheckpointAtEachRunAndKeepsExactlyKeepLast() {
    cluster.namespace("hourly");
    cluster.pod("hourly", "db", "node-1", "Running", Map.of(), "db");
    CheckpointSchedule created =
        schedule(
            cluster, "hourly", "db", "  schedule: '0 * * * *'\n  podName: db\n  keepLast: 2\n");
    Instant first = firstHour(created);
    CheckpointSchedule waiting = awaitCondition(cluster, "hourly", "db", "Ready", "Scheduling");
    assertThat(waiting.getStatus().getTarget()).isEqualTo("pod db");
    assertThat(waiting.getStatus().getNextScheduleTime()).isNotNull();
    assertThat(checkpoints(cluster, "hourly")).isEmpty();

    List<String> paths = new java.util.ArrayList<>();
    for (int run = 0; run < 3; run++) {
      Instant at = first.plus(Duration.ofHours(run));
      clock.set(at.plusSeconds(5));
      Checkpoint c = completed(cluster, "hourly", "db-" + stamp(at));
      paths.add(c.getStatus().getPath());
      assertThat(c.getSpec().getPodName()).isEqualTo("db");
      assertThat(c.getSpec().getDeletionPolicy()).isEqualTo(DeletionPolicy.Delete);
      assertThat(c.getMetadata().getLabels()).containsEntry("stasis.dev/schedule", "db");
      assertThat(c.getMetadata().getAnnotations())
          .containsEntry("stasis.dev/scheduled-time", at.toString());
      assertThat(c.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.getKind()).isEqualTo("CheckpointSchedule");
                assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
                assertThat(o.getController()).isTrue();
                assertThat(o.getBlockOwnerDeletion()).isTrue();
              });
    }

    Instant last = first.plus(Duration.ofHours(2));
    List<Checkpoint> kept =
        await(
            () -> checkpoints(cluster, "hourly"),
            l -> l.size() == 2,
            TIMEOUT,
            "keepLast 2: the oldest run deleted");
    assertThat(names(kept))
        .containsExactly("db-" + stamp(first.plus(Duration.ofHours(1))), "db-" + stamp(last));
    await(() -> storage.contains(paths.get(0)), b -> !b, TIMEOUT, "its objects deleted");
    assertThat(storage.contains(paths.get(2))).isTrue();

    CheckpointSchedule s =
        await(
            () -> get(cluster, "hourly", "db"),
            x -> ("db-" + stamp(last)).equals(x.getStatus().getLastSuccessfulCheckpoint()),
            TIMEOUT,
            "status of the last run");
    assertThat(s.getStatus().getLastScheduleTime()).isEqualTo(last.toString());
    assertThat(s.getStatus().getLastSuccessfulTime()).isEqualTo(last.toString());
    assertThat(s.getStatus().getNextScheduleTime())
        .isEqualTo(last.plus(Duration.ofHours(1)).toString());
    assertThat(s.getStatus().getActiveCount()).isZero();
    assertThat(s.getStatus().getActive()).isEmpty();
    assertThat(condition(s, "LastRun").getReason()).isEqualTo("Scheduled");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(events(cluster, "hourly", "db"))
        .extracting(Event::getReason)
        .contains("Created", "Pruned");
  }

  @Test
  void forbidSkipsARunWhileOneIsActiveAndRunsItWhenTheActiveOneEnds() throws Exception {
    cluster.namespace("forbid");
    cluster.pod("forbid", "slow", "node-1", "Running", Map.of(), "main");
    CountDownLatch gate = new CountDownLatch(1);
    cluster.agents.get("node-1").gates.put("slow", gate);
    Instant first =
        firstHour(
            schedule(cluster, "forbid", "slow", "  schedule: '0 * * * *'\n  podName: slow\n"));
    awaitCondition(cluster, "forbid", "slow", "Ready", "Scheduling");

    clock.set(first.plusSeconds(5));
    String firstName = "slow-" + stamp(first);
    await(
        () -> get(cluster, "forbid", "slow"),
        s -> s.getStatus().getActive().contains(firstName),
        TIMEOUT,
        "the first run active");

    Instant second = first.plus(Duration.ofHours(1));
    clock.set(second.plusSeconds(5));
    CheckpointSchedule skipped = awaitCondition(cluster, "forbid", "slow", "LastRun", "Skipped");
    assertThat(condition(skipped, "LastRun").getMessage())
        .isEqualTo(
            "the run of "
                + second
                + " waits: "
                + firstName
                + " still active (concurrencyPolicy"
                + " Forbid)");
    assertThat(skipped.getStatus().getActiveCount()).isEqualTo(1);
    assertThat(names(checkpoints(cluster, "forbid"))).containsExactly(firstName);
    assertThat(events(cluster, "forbid", "slow")).extracting(Event::getReason).contains("Skipped");

    gate.countDown();
    completed(cluster, "forbid", firstName);
    completed(cluster, "forbid", "slow-" + stamp(second));
    assertThat(checkpoints(cluster, "forbid")).hasSize(2);
  }

  @Test
  void replaceDeletesTheActiveCheckpointAndRuns() {
    cluster.namespace("replace");
    cluster.pod("replace", "stuck", "node-1", "Running", Map.of(), "main");
    cluster.agents.get("node-1").gates.put("stuck", new CountDownLatch(1));
    Instant first =
        firstHour(
            schedule(
                cluster,
                "replace",
                "stuck",
                "  schedule: '0 * * * *'\n  podName: stuck\n  concurrencyPolicy: Replace\n"));
    awaitCondition(cluster, "replace", "stuck", "Ready", "Scheduling");
    clock.set(first.plusSeconds(5));
    String firstName = "stuck-" + stamp(first);
    await(
        () -> get(cluster, "replace", "stuck"),
        s -> s.getStatus().getActive().contains(firstName),
        TIMEOUT,
        "the first run active");

    Instant second = first.plus(Duration.ofHours(1));
    clock.set(second.plusSeconds(5));
    String secondName = "stuck-" + stamp(second);
    CheckpointSchedule replaced =
        awaitCondition(cluster, "replace", "stuck", "LastRun", "Replaced");
    assertThat(condition(replaced, "LastRun").getMessage())
        .isEqualTo(
            "deleted the active "
                + firstName
                + " (concurrencyPolicy Replace) and created Checkpoint "
                + secondName
                + " for the run of "
                + second);
    await(
        () -> names(checkpoints(cluster, "replace")),
        l -> l.equals(List.of(secondName)),
        TIMEOUT,
        "only the new run's Checkpoint");
    assertThat(events(cluster, "replace", "stuck"))
        .extracting(Event::getReason)
        .contains("Replaced");
  }

  @Test
  void allowRunsWhileAnEarlierRunIsActive() {
    cluster.namespace("allow");
    cluster.pod("allow", "busy", "node-1", "Running", Map.of(), "main");
    CountDownLatch gate = new CountDownLatch(1);
    cluster.agents.get("node-1").gates.put("busy", gate);
    Instant first =
        firstHour(
            schedule(
                cluster,
                "allow",
                "busy",
                "  schedule: '0 * * * *'\n  podName: busy\n  concurrencyPolicy: Allow\n"));
    awaitCondition(cluster, "allow", "busy", "Ready", "Scheduling");
    clock.set(first.plusSeconds(5));
    String firstName = "busy-" + stamp(first);
    await(
        () -> get(cluster, "allow", "busy"),
        s -> s.getStatus().getActive().contains(firstName),
        TIMEOUT,
        "the first run active");
    Instant second = first.plus(Duration.ofHours(1));
    clock.set(second.plusSeconds(5));
    String secondName = "busy-" + stamp(second);
    CheckpointSchedule both =
        await(
            () -> get(cluster, "allow", "busy"),
            s -> s.getStatus().getActiveCount() == 2,
            TIMEOUT,
            "two runs active");
    assertThat(both.getStatus().getActive()).containsExactlyInAnyOrder(firstName, secondName);
    gate.countDown();
    completed(cluster, "allow", firstName);
    completed(cluster, "allow", secondName);
  }

  @Test
  void aSuspendedScheduleHasNoNextRunAndCreatesNothing() {
    cluster.namespace("suspended");
    cluster.pod("suspended", "web", "node-1", "Running", Map.of(), "web");
    Instant first =
        firstHour(
            schedule(
                cluster,
                "suspended",
                "web",
                "  schedule: '0 * * * *'\n  podName: web\n  suspend: true\n"));
    CheckpointSchedule s = awaitCondition(cluster, "suspended", "web", "Ready", "Suspended");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(s.getStatus().getNextScheduleTime()).isNull();
    clock.set(first.plus(Duration.ofHours(2)).plusSeconds(5));
    awaitCondition(cluster, "suspended", "web", "Ready", "Suspended");
    // The schedule is looked at every check interval (200 ms in tests): give it several.
    await(
        () -> get(cluster, "suspended", "web"),
        x -> x.getStatus().getNextScheduleTime() == null,
        TIMEOUT,
        "still suspended");
    sleepAFewChecks();
    assertThat(checkpoints(cluster, "suspended")).isEmpty();
    assertThat(events(cluster, "suspended", "web"))
        .extracting(Event::getReason)
        .contains("Suspended");
  }

  @Test
  void aSelectorOrAWorkloadRunIsOneCheckpointOfThatTarget() {
    cluster.namespace("shop");
    cluster.pod("shop", "web-1", "node-1", "Running", Map.of("app", "web"), "web");
    cluster.pod("shop", "web-2", "node-1", "Running", Map.of("app", "web"), "web");
    cluster
        .client
        .apps()
        .deployments()
        .inNamespace("shop")
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "web")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("web")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    Instant first =
        firstHour(
            schedule(
                cluster,
                "shop",
                "by-labels",
                "  schedule: '0 * * * *'\n  selector: {app: web}\n"
                    + "  template: {containers: [web], compression: lz4, deletionPolicy: Retain}\n"));
    schedule(
        cluster,
        "shop",
        "by-workload",
        "  schedule: '0 * * * *'\n  workloadRef: {kind: Deployment, name: web}\n");
    awaitCondition(cluster, "shop", "by-labels", "Ready", "Scheduling");
    awaitCondition(cluster, "shop", "by-workload", "Ready", "Scheduling");
    clock.set(first.plusSeconds(5));
    awaitCondition(cluster, "shop", "by-labels", "LastRun", "Scheduled");
    CheckpointSchedule workload =
        awaitCondition(cluster, "shop", "by-workload", "LastRun", "Scheduled");
    assertThat(workload.getStatus().getTarget()).isEqualTo("Deployment/web");

    Checkpoint labels =
        cluster
            .client
            .resources(Checkpoint.class)
            .inNamespace("shop")
            .withName("by-labels-" + stamp(first))
            .get();
    assertThat(labels.getSpec().getSelector()).isEqualTo(Map.of("app", "web"));
    assertThat(labels.getSpec().getPodName()).isNull();
    assertThat(labels.getSpec().getContainers()).containsExactly("web");
    assertThat(labels.getSpec().getCompression().toString()).isEqualTo("lz4");
    assertThat(labels.getSpec().getDeletionPolicy()).isEqualTo(DeletionPolicy.Retain);
    assertThat(labels.getMetadata().getLabels()).containsEntry("stasis.dev/schedule", "by-labels");
    assertThat(labels.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("by-labels"));

    Checkpoint byWorkload =
        cluster
            .client
            .resources(Checkpoint.class)
            .inNamespace("shop")
            .withName("by-workload-" + stamp(first))
            .get();
    assertThat(byWorkload.getSpec().getWorkloadRef().getKind()).isEqualTo(WorkloadKind.Deployment);
    assertThat(byWorkload.getSpec().getWorkloadRef().getName()).isEqualTo("web");
    assertThat(byWorkload.getSpec().getPodName()).isNull();
    assertThat(byWorkload.getMetadata().getLabels())
        .containsEntry("stasis.dev/schedule", "by-workload");
    // One Checkpoint per run and schedule; the others are the pods' Checkpoints that each workload
    // Checkpoint makes of its target (docs/workloads.md), owned by it, not by the schedule.
    List<Checkpoint> all = checkpoints(cluster, "shop");
    assertThat(all)
        .filteredOn(c -> c.getMetadata().getLabels().containsKey("stasis.dev/schedule"))
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("by-labels-" + stamp(first), "by-workload-" + stamp(first));
    assertThat(all)
        .filteredOn(c -> !c.getMetadata().getLabels().containsKey("stasis.dev/schedule"))
        .allSatisfy(
            c ->
                assertThat(c.getMetadata().getOwnerReferences())
                    .singleElement()
                    .satisfies(o -> assertThat(o.getKind()).isEqualTo("Checkpoint")));
  }

  @Test
  void aTargetWithoutRunningPodsWaitsWithNoTargetPods() {
    cluster.namespace("empty");
    Instant first =
        firstHour(schedule(cluster, "empty", "gone", "  schedule: '0 * * * *'\n  podName: gone\n"));
    awaitCondition(cluster, "empty", "gone", "Ready", "Scheduling");
    clock.set(first.plusSeconds(5));
    CheckpointSchedule s = awaitCondition(cluster, "empty", "gone", "Ready", "NoTargetPods");
    assertThat(condition(s, "Ready").getMessage())
        .isEqualTo("pod gone is not Running in namespace empty");
    assertThat(condition(s, "LastRun").getReason()).isEqualTo("Skipped");
    assertThat(checkpoints(cluster, "empty")).isEmpty();
    assertThat(events(cluster, "empty", "gone"))
        .filteredOn(e -> e.getReason().equals("NoTargetPods"))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));

    cluster.pod("empty", "gone", "node-1", "Running", Map.of(), "main");
    completed(cluster, "empty", "gone-" + stamp(first));
    awaitCondition(cluster, "empty", "gone", "Ready", "Scheduling");
  }

  static void sleepAFewChecks() {
    try {
      Thread.sleep(1500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
