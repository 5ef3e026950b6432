package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STASIS_WATCH_NAMESPACES: Checkpoints elsewhere are not the operator's business. */
class WatchNamespacesTest {
  @TempDir Path tmp;

  @Test
  void onlyWatchedNamespacesAreReconciled() throws Exception {
    try (MockCluster cluster = new MockCluster(new InMemoryStorage(), tmp)) {
      cluster.node("n1", "kind://n1", Map.of(), true);
      cluster.apply(
          CheckpointStorage.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: CheckpointStorage
          metadata: {name: local}
          spec: {filesystem: {path: /data}, default: true}
          """);
      for (String ns : new String[] {"team-a", "team-b"}) {
        cluster.namespace(ns);
        cluster.pod(ns, "web", "n1", "Running", Map.of(), "web");
      }
      OperatorSettings base = MockCluster.settings();
      OperatorSettings settings =
          new OperatorSettings(
              base.namespace(),
              false,
              base.leaseName(),
              Set.of("team-a"),
              0,
              base.agentNamespace(),
              base.agentLabels(),
              base.agentPort(),
              null,
              base.agentServerName(),
              null,
              "",
              "",
              false,
              base.pollInterval(),
              base.storageCheckInterval(),
              base.agentRetryInitial(),
              base.agentRetryAttempts(),
              base.terminationDeadlines(),
              base.scheduleCheckInterval());
      cluster.startOperator(settings);
      for (String ns : new String[] {"team-a", "team-b"}) {
        cluster.apply(
            Checkpoint.class,
            "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata: {name: c, namespace: "
                + ns
                + "}\nspec: {podName: web}\n");
      }
      await(
          () ->
              cluster.client.resources(Checkpoint.class).inNamespace("team-a").withName("c").get(),
          c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Completed,
          Duration.ofSeconds(30),
          "team-a/c");
      Thread.sleep(1000);
      Checkpoint other =
          cluster.client.resources(Checkpoint.class).inNamespace("team-b").withName("c").get();
      assertThat(other.getStatus() == null || other.getStatus().getPhase() == null).isTrue();
      assertThat(other.getMetadata().getFinalizers()).isEmpty();
      assertThat(cluster.agents.get("n1").dumps.get()).isEqualTo(1);
    }
  }
}
