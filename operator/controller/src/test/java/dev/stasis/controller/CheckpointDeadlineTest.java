package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import dev.stasis.controller.support.SimulatedAgent;
import dev.stasis.controller.support.TestClock;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.activeDeadlineSeconds: a checkpoint that cannot finish in time fails and stores nothing. */
class CheckpointDeadlineTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  static final InMemoryStorage storage = new InMemoryStorage();
  static final TestClock clock = new TestClock();
  static MockCluster cluster;
  static SimulatedAgent agent;

  @BeforeAll
  static void start() {
    cluster = new MockCluster(storage, tmp);
    cluster.node("n1", "kind://n1", Map.of(), true);
    agent = cluster.agents.get("n1");
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: local}
        spec: {filesystem: {path: /data}, default: true}
        """);
    cluster.namespace("app");
    cluster.startOperator(MockCluster.settings(), clock);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static Checkpoint get(String name) {
    return cluster.client.resources(Checkpoint.class).inNamespace("app").withName(name).get();
  }

  static void create(String name, String pod, long deadlineSeconds) {
    cluster.apply(
        Checkpoint.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata: {name: "
            + name
            + ", namespace: app}\nspec: {podName: "
            + pod
            + ", activeDeadlineSeconds: "
            + deadlineSeconds
            + "}\n");
  }

  @Test
  void aCheckpointNotDoneByItsDeadlineIsCancelledFailsAndStoresNoManifest() throws Exception {
    cluster.pod("app", "slow", "n1", "Running", Map.of(), "main");
    CountDownLatch gate = new CountDownLatch(1);
    agent.gates.put("slow", gate);
    int finishedBefore = agent.finishedDumps.get();
    create("slow-1", "slow", 60);
    Checkpoint running =
        await(
            () -> get("slow-1"),
            c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Checkpointing,
            TIMEOUT,
            "slow-1 Checkpointing");
    String path = running.getStatus().getPath();

    clock.advance(Duration.ofSeconds(61));
    Checkpoint failed =
        await(
            () -> get("slow-1"),
            c -> c.getStatus().getPhase() != null && c.getStatus().getPhase().isFinal(),
            TIMEOUT,
            "slow-1 ended by its deadline");

    assertThat(failed.getStatus().getPhase()).isEqualTo(CheckpointPhase.Failed);
    assertThat(failed.getStatus().condition("Ready"))
        .hasValueSatisfying(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("DeadlineExceeded");
            });
    assertThat(failed.getStatus().getMessage())
        .isEqualTo(
            "not Completed within activeDeadlineSeconds (60s after creation) while Checkpointing;"
                + " the agent's job was cancelled and nothing was kept in storage");
    assertThat(failed.getStatus().getCompletionTime()).isNotNull();
    Event event =
        await(
            () ->
                cluster.client.events().v1().events().inNamespace("app").list().getItems().stream()
                    .filter(e -> "slow-1".equals(e.getRegarding().getName()))
                    .filter(e -> "DeadlineExceeded".equals(e.getReason()))
                    .findFirst()
                    .orElse(null),
            e -> true,
            TIMEOUT,
            "the DeadlineExceeded event");
    assertThat(event.getType()).isEqualTo("Warning");

    // The dump was stuck in the kubelet; let it go on: the cancelled job must store nothing.
    gate.countDown();
    await(
        () -> agent.finishedDumps.get(),
        n -> n > finishedBefore,
        TIMEOUT,
        "the agent's work on slow-1 over");
    assertThat(storage.contains(path)).as("a manifest at " + path).isFalse();
    assertThat(storage.list(StorageLocation.bare("file:///data"), "app"))
        .as("no checkpoint of pod slow in storage")
        .noneMatch(c -> c.podName().equals("slow"));
    assertThat(get("slow-1").getStatus().getPhase())
        .as("stays Failed")
        .isEqualTo(CheckpointPhase.Failed);
  }

  @Test
  void aCheckpointDoneInTimeCompletes() {
    cluster.pod("app", "quick", "n1", "Running", Map.of(), "main");
    create("quick-1", "quick", 3600);
    Checkpoint done =
        await(
            () -> get("quick-1"),
            c ->
                c.getStatus() != null
                    && c.getStatus().getPhase() != null
                    && c.getStatus().getPhase().isFinal(),
            TIMEOUT,
            "quick-1 ended");
    assertThat(done.getStatus().getPhase()).isEqualTo(CheckpointPhase.Completed);
    assertThat(storage.contains(done.getStatus().getPath())).isTrue();
  }
}
