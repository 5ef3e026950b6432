package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import dev.stasis.testsupport.kube.PrinterColumns;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole workload (docs/workloads.md) with the samples: the Deployment of
 * samples/workload-deployment.yaml runs 3 pods over the nodes (the test plays its ReplicaSet, as
 * there is no controller manager here), samples/checkpoint-workload.yaml checkpoints all of them
 * through the real agents and kubelet simulators, samples/restore-workload.yaml brings all of them
 * back as 3 Running pods outside the Deployment.
 */
class WorkloadTest {
  static final String NS = "shop-web";
  static final String HASH = "6b8f9c7d5";
  static final List<String> NODES = List.of("ip-10-0-1-23.ec2.internal", "worker-1", "worker-2");

  @TempDir static Path tmp;
  static InJvmCluster cluster;

  @BeforeAll
  static void install() {
    cluster = new InJvmCluster("w", tmp.resolve("cluster-w"));
    cluster.node(NODES.get(0), Cloud.EKS, 200_000, Map.of());
    cluster.node(NODES.get(1), Cloud.PLAIN, 200_000, Map.of());
    cluster.node(NODES.get(2), Cloud.PLAIN, 200_000, Map.of());
    cluster.startOperator();
    cluster.applySample("storage-filesystem.yaml", null);
    Users.awaitStoragesAvailable(cluster, "node-local");
    cluster.namespace(NS);
  }

  @AfterAll
  static void uninstall() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** What the Deployment's ReplicaSet would create: 3 pods of its template, not yet on a node. */
  static List<String> replicaSetPods() {
    Deployment web = cluster.client.apps().deployments().inNamespace(NS).withName("web").get();
    List<String> names = new ArrayList<>();
    for (String suffix : List.of("x7k2p", "m4q9z", "t8v6w")) {
      Map<String, String> labels =
          new HashMap<>(web.getSpec().getTemplate().getMetadata().getLabels());
      labels.put("pod-template-hash", HASH);
      Pod pod =
          new PodBuilder()
              .withNewMetadata()
              .withName("web-" + HASH + "-" + suffix)
              .withNamespace(NS)
              .withLabels(labels)
              .endMetadata()
              .withSpec(web.getSpec().getTemplate().getSpec())
              .build();
      cluster.client.pods().inNamespace(NS).resource(pod).create();
      names.add(pod.getMetadata().getName());
    }
    return names;
  }

  @Test
  void aDeploymentOfThreePodsIsCheckpointedAndRestoredAsThreeRunningPods() {
    assumeTrue(cluster.backends.registry != null, cluster.backends.registryMissing());
    cluster.applySample("workload-deployment.yaml", NS);
    List<String> pods = replicaSetPods();
    Set<String> nodes = new java.util.HashSet<>();
    for (String pod : pods) {
      nodes.add(Users.awaitPodRunning(cluster, NS, pod).path("spec").path("nodeName").asText());
    }
    assertThat(nodes).as("the scheduler spread the pods over the nodes").hasSize(3);

    cluster.applySample("checkpoint-workload.yaml", NS);
    JsonNode web1 = Users.awaitCompleted(cluster, NS, "web-1");
    JsonNode status = web1.path("status");
    assertThat(status.path("target").asText()).isEqualTo("Deployment/web");
    assertThat(status.path("pods")).hasSize(3);
    long size = 0;
    for (JsonNode p : status.path("pods")) {
      assertThat(p.path("phase").asText()).isEqualTo("Completed");
      String child = p.path("checkpoint").asText();
      assertThat(child).isEqualTo("web-1-" + p.path("pod").asText());
      JsonNode checkpoint = Users.awaitCompleted(cluster, NS, child);
      assertThat(checkpoint.path("spec").path("podName").asText())
          .isEqualTo(p.path("pod").asText());
      assertThat(p.path("path").asText())
          .isEqualTo(checkpoint.path("status").path("path").asText());
      // Each pod's moment (its agent's job start) is the one its own Checkpoint reports.
      assertThat(p.path("checkpointTime").asText())
          .isEqualTo(checkpoint.path("status").path("checkpointTime").asText());
      Stored.verify(p.path("path").asText());
      size += checkpoint.path("status").path("size").asLong();
    }
    assertThat(status.path("size").asLong()).isEqualTo(size);
    assertThat(status.path("spreadMillis").asLong()).isBetween(0L, 30_000L);
    assertThat(status.path("spread").asText()).matches("[0-9]+ms|[0-9]+\\.[0-9]s");

    PrinterColumns columns = PrinterColumns.fromDirectory(InJvmCluster.repoRoot().resolve("crds"));
    Map<String, String> wide = columns.row(web1, true, Instant.now());
    assertThat(wide.get("PHASE")).isEqualTo("Completed");
    assertThat(wide.get("TARGET")).isEqualTo("Deployment/web");
    assertThat(wide.get("SPREAD")).isEqualTo(status.path("spread").asText());

    cluster.applySample("restore-workload.yaml", NS);
    JsonNode restore = Users.awaitRestoreDone(cluster, NS, "web-restore");
    assertThat(Await.phase(restore))
        .as(restore.path("status").toPrettyString())
        .isEqualTo("Running");
    assertThat(restore.path("status").path("checkpoint").asText()).isEqualTo("web-1");
    assertThat(restore.path("status").path("pods")).hasSize(3);
    List<String> restored = new ArrayList<>();
    for (JsonNode p : restore.path("status").path("pods")) {
      assertThat(p.path("phase").asText()).isEqualTo("Running");
      assertThat(p.path("restore").asText()).isEqualTo("web-restore-" + p.path("pod").asText());
      String name = p.path("restoredPod").asText();
      // The originals still run: the restored pods are named <pod>-restored-<suffix>.
      assertThat(name).matches(p.path("pod").asText() + "-restored-[a-z0-9]{5}");
      JsonNode pod = Users.awaitPodRunning(cluster, NS, name);
      JsonNode labels = pod.path("metadata").path("labels");
      assertThat(labels.path("app").asText()).isEqualTo("web");
      assertThat(labels.has("pod-template-hash")).as("labels of %s: %s", name, labels).isFalse();
      assertThat(labels.path("stasis.dev/workload-restore").asText()).isEqualTo("web-restore");
      assertThat(labels.path("stasis.dev/restored-from").asText())
          .isEqualTo(p.path("checkpoint").asText());
      restored.add(name);
    }
    assertThat(restored).hasSize(3).doesNotHaveDuplicates();
    // The Deployment's own pods are still its 3: the restored ones are not among them.
    assertThat(
            cluster
                .client
                .pods()
                .inNamespace(NS)
                .withLabel("pod-template-hash", HASH)
                .list()
                .getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(pods);
  }
}
