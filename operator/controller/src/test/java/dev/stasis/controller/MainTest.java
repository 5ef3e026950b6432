package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Main's wiring: leader election on a Lease, /healthz, /readyz and /metrics. */
class MainTest {
  @TempDir Path tmp;

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theLeaderHoldsTheLeaseReconcilesAndServesHealthAndMetrics() throws Exception {
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
      cluster.namespace("app");
      cluster.pod("app", "web", "n1", "Running", Map.of(), "web");
      OperatorSettings settings =
          MockCluster.settings().withLeaderElection(true).withAgentPort(cluster.agentPort);
      try (Main.Running running =
          Main.start(
              settings,
              cluster.client,
              cluster.agentClient(),
              cluster.storage,
              "operator-0",
              false)) {
        Lease lease =
            await(
                () ->
                    cluster
                        .client
                        .leases()
                        .inNamespace(MockCluster.SYSTEM)
                        .withName("stasis-operator")
                        .get(),
                l -> l.getSpec() != null && "operator-0".equals(l.getSpec().getHolderIdentity()),
                Duration.ofSeconds(30),
                "lease held");
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("operator-0");

        cluster.apply(
            Checkpoint.class,
            """
            apiVersion: stasis.dev/v1alpha1
            kind: Checkpoint
            metadata: {name: web-1, namespace: app}
            spec: {podName: web}
            """);
        await(
            () ->
                cluster
                    .client
                    .resources(Checkpoint.class)
                    .inNamespace("app")
                    .withName("web-1")
                    .get(),
            c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Completed,
            Duration.ofSeconds(30),
            "Completed");

        int port = running.http.port();
        assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);
        String metrics = get(port, "/metrics").body();
        assertThat(metrics)
            .contains("stasis_checkpoints_total{outcome=\"completed\",reason=\"\"} 1.0")
            .contains("stasis_checkpoint_stored_bytes_total")
            .contains("stasis_checkpoint_duration_seconds_count{outcome=\"completed\"} 1")
            .contains("operator_sdk_")
            .contains("jvm_memory_used_bytes");
      }
    }
  }
}
