package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.controller.support.MockCluster;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator is stopped while a Checkpoint is Uploading (on the real agent, to the storage
 * module's file:// store) and a new operator instance starts: it follows the same agent job (the
 * job id is the Checkpoint's UID), so the pod is dumped once, one manifest is written, and the
 * Checkpoint completes once.
 */
class OperatorRestartTest {
  static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  private static Checkpoint get(MockCluster cluster, String name) {
    return cluster.client.resources(Checkpoint.class).inNamespace("shop").withName(name).get();
  }

  private static List<Event> events(MockCluster cluster, String name) {
    return cluster.client.events().v1().events().inNamespace("shop").list().getItems().stream()
        .filter(e -> name.equals(e.getRegarding().getName()))
        .toList();
  }

  private static List<Path> manifests(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().equals("manifest.json")).toList();
    }
  }

  @Test
  void aNewOperatorFollowsTheRunningJobAndTheCheckpointCompletesOnce() throws Exception {
    Path storageDir = Files.createDirectories(tmp.resolve("store"));
    try (RealAgentTest.World world =
        new RealAgentTest.World(tmp, storageDir, null, Map.of("STASIS_BANDWIDTH_LIMIT", "2Mi"))) {
      world.kubelet.pagesBytes(12L * 1024 * 1024);
      MockCluster cluster = world.cluster;
      cluster.apply(
          Checkpoint.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: Checkpoint
          metadata: {name: web-1, namespace: shop}
          spec: {podName: web}
          """);
      await(
          () -> get(cluster, "web-1"),
          c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Uploading,
          TIMEOUT,
          "web-1 Uploading");

      world.restartOperator();
      assertThat(get(cluster, "web-1").getStatus().getPhase())
          .as("still uploading when the new operator starts")
          .isEqualTo(CheckpointPhase.Uploading);

      Checkpoint done =
          await(
              () -> get(cluster, "web-1"),
              c ->
                  c.getStatus() != null
                      && c.getStatus().getPhase() != null
                      && c.getStatus().getPhase().isFinal(),
              TIMEOUT,
              "web-1 final");
      assertThat(done.getStatus().getPhase())
          .as(done.getStatus().getMessage())
          .isEqualTo(CheckpointPhase.Completed);
      assertThat(world.kubelet.requestCount()).as("kubelet checkpoint calls").isEqualTo(1);
      assertThat(world.agent.jobs().all()).hasSize(1);
      List<Path> manifests = manifests(storageDir);
      assertThat(manifests).hasSize(1);
      assertThat(manifests.get(0).getParent().toUri().toString())
          .isEqualTo(done.getStatus().getPath() + "/");
      var container = done.getStatus().getContainers().get(0);
      assertThat(Files.size(Path.of(java.net.URI.create(container.getObject()))))
          .isEqualTo(container.getStoredBytes());
      await(
          () -> events(cluster, "web-1"),
          e -> e.stream().anyMatch(x -> x.getReason().equals("Completed")),
          TIMEOUT,
          "the Completed event");
      assertThat(events(cluster, "web-1"))
          .filteredOn(e -> e.getReason().equals("Completed"))
          .hasSize(1);
    }
  }

  @Test
  void anOperatorThatDiedBeforeWritingTheStatusStartsTheSameJobAgainWithoutASecondDump()
      throws Exception {
    Path storageDir = Files.createDirectories(tmp.resolve("store"));
    try (RealAgentTest.World world =
        new RealAgentTest.World(tmp, storageDir, null, Map.of("STASIS_BANDWIDTH_LIMIT", "2Mi"))) {
      world.kubelet.pagesBytes(12L * 1024 * 1024);
      MockCluster cluster = world.cluster;
      cluster.apply(
          Checkpoint.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: Checkpoint
          metadata: {name: web-2, namespace: shop}
          spec: {podName: web}
          """);
      await(
          () -> get(cluster, "web-2"),
          c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Uploading,
          TIMEOUT,
          "web-2 Uploading");
      world.stopOperator();
      // As if the operator had died right after StartCheckpoint, before its status write landed.
      Checkpoint lost = get(cluster, "web-2");
      CheckpointStatus pending = new CheckpointStatus();
      pending.setPhase(CheckpointPhase.Pending);
      lost.setStatus(pending);
      cluster.client.resource(lost).updateStatus();
      world.restartOperator();

      Checkpoint done =
          await(
              () -> get(cluster, "web-2"),
              c ->
                  c.getStatus() != null
                      && c.getStatus().getPhase() != null
                      && c.getStatus().getPhase().isFinal(),
              TIMEOUT,
              "web-2 final");
      assertThat(done.getStatus().getPhase())
          .as(done.getStatus().getMessage())
          .isEqualTo(CheckpointPhase.Completed);
      assertThat(world.kubelet.requestCount()).as("kubelet checkpoint calls").isEqualTo(1);
      assertThat(world.agent.jobs().all()).hasSize(1);
      assertThat(manifests(storageDir)).hasSize(1);
    }
  }
}
