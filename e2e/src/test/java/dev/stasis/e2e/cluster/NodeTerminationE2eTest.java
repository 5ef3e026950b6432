package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spot interruption on a cluster of two plain nodes: the pod of samples/pod-opt-in.yaml is
 * checkpointed before its node goes away and comes back, Running, on the other node.
 */
class NodeTerminationE2eTest {
  static final String LEAVING = "spot-1";
  static final String STAYING = "on-demand-1";
  static final String NS = "shop-spot";

  @TempDir static Path tmp;
  static InJvmCluster cluster;

  @BeforeAll
  static void install() {
    cluster = new InJvmCluster("spot", tmp.resolve("cluster"));
    cluster.node(LEAVING, Cloud.PLAIN, 1_000_000, Map.of());
    cluster.node(STAYING, Cloud.PLAIN, 1_000_000, Map.of());
    cluster.startOperator();
    cluster.applySample("storage-filesystem.yaml", null);
    Users.awaitStoragesAvailable(cluster, "node-local");
  }

  @AfterAll
  static void uninstall() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aSpotInterruptionCheckpointsTheOptedInPodAndRestoresItOnTheOtherNode() {
    assumeTrue(cluster.backends.registry != null, cluster.backends.registryMissing());
    cluster.namespace(NS);
    cluster.kubectl.apply(Samples.forThisCluster("pod-opt-in.yaml", cluster, LEAVING), NS);
    JsonNode pod = Users.awaitPodRunning(cluster, NS, "counter-opt-in");
    assertThat(pod.path("spec").path("nodeName").asText()).isEqualTo(LEAVING);

    // What the AWS Node Termination Handler does on a spot interruption notice.
    cluster
        .client
        .nodes()
        .withName(LEAVING)
        .edit(
            n -> {
              n.getSpec()
                  .getTaints()
                  .add(
                      new TaintBuilder()
                          .withKey("aws-node-termination-handler/spot-itn")
                          .withValue("i-0123456789abcdef0")
                          .withEffect("NoSchedule")
                          .build());
              return n;
            });

    // The scheduler no longer puts a pod there that does not tolerate the taint.
    cluster.applyWorkload(NS, LEAVING);
    JsonNode unschedulable =
        Await.until(
            () -> cluster.kubectl.get("v1", "Pod", NS, "counter"),
            p -> p.path("status").path("conditions").toString().contains("Unschedulable"),
            Users.TIMEOUT,
            "pod counter Unschedulable");
    assertThat(
            unschedulable.path("spec").path("nodeName").isMissingNode()
                || unschedulable.path("spec").path("nodeName").asText().isEmpty())
        .isTrue();
    cluster.client.pods().inNamespace(NS).withName("counter").delete();

    JsonNode checkpoint =
        Await.until(
            () ->
                cluster.kubectl.list("stasis.dev/v1alpha1", "Checkpoint", NS).stream()
                    .filter(c -> c.path("spec").path("podName").asText().equals("counter-opt-in"))
                    .findFirst()
                    .orElse(null),
            c -> true,
            Users.TIMEOUT,
            "a Checkpoint of counter-opt-in");
    String name = checkpoint.path("metadata").path("name").asText();
    assertThat(name).matches("counter-opt-in-spot-[a-z0-9]{5}");
    assertThat(checkpoint.path("metadata").path("labels").path("stasis.dev/reason").asText())
        .isEqualTo("node-termination");
    assertThat(checkpoint.path("spec").path("activeDeadlineSeconds").asLong()).isEqualTo(100);
    JsonNode completed = Users.awaitCompleted(cluster, NS, name);
    assertThat(completed.path("status").path("nodeName").asText()).isEqualTo(LEAVING);
    assertThat(Stored.manifest(completed.path("status").path("path").asText())).isNotNull();

    JsonNode restore = Users.awaitRestoreDone(cluster, NS, name);
    assertThat(Await.phase(restore))
        .as("%s", restore.path("status").toPrettyString())
        .isEqualTo("Running");
    assertThat(restore.path("spec").path("nodeName").asText()).isEqualTo(STAYING);
    JsonNode restored = Users.awaitPodRunning(cluster, NS, name);
    assertThat(restored.path("spec").path("nodeName").asText()).isEqualTo(STAYING);
    assertThat(restored.path("metadata").path("labels").path("stasis.dev/restored-from").asText())
        .isEqualTo(name);
    assertThat(
            Users.condition(cluster.kubectl.stasis("Checkpoint", NS, name), "TerminationRestore")
                .path("reason")
                .asText())
        .isEqualTo("RestoreCreated");
    // Both pods are there: the original until the node goes, the restored one on the other node.
    List<JsonNode> pods = cluster.kubectl.list("v1", "Pod", NS);
    assertThat(pods)
        .extracting(p -> p.path("metadata").path("name").asText())
        .contains("counter-opt-in", name);
  }
}
