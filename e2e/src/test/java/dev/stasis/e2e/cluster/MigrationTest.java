package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/migrate-between-clusters.md, in two clusters that share only storage: each has its own API
 * server, operator and agents, and the storage samples including the global store (replicated over
 * the S3 and the GCS storage). A pod checkpointed on an EKS node of cluster A shows up in cluster B
 * as an imported Checkpoint and is restored there on a GKE node.
 */
class MigrationTest {
  static final String NS = "moving";
  static final String EKS_A = "ip-10-1-4-17.ec2.internal";
  static final String PLAIN_A = "a-worker-1";
  static final String GKE_B = "gke-b-default-pool-9d1e";
  static final String PLAIN_B = "b-worker-1";

  @TempDir static Path tmp;
  static InJvmCluster a;
  static InJvmCluster b;

  @BeforeAll
  static void installBoth() {
    a = new InJvmCluster("a", tmp.resolve("cluster-a"));
    a.node(EKS_A, Cloud.EKS, 1 << 20, Map.of());
    a.node(PLAIN_A, Cloud.PLAIN, 1 << 20, Map.of());
    b = new InJvmCluster("b", tmp.resolve("cluster-b"));
    b.node(GKE_B, Cloud.GKE, 1 << 20, Map.of());
    b.node(PLAIN_B, Cloud.PLAIN, 1 << 20, Map.of());
    for (InJvmCluster c : List.of(a, b)) {
      c.startOperator();
      c.s3CredentialsSecret();
      for (String s :
          List.of(
              "storage-filesystem.yaml",
              "storage-s3.yaml",
              "storage-gcs.yaml",
              "storage-global.yaml")) {
        c.applySample(s, null);
      }
      c.namespace(NS);
    }
    for (InJvmCluster c : List.of(a, b)) {
      Users.awaitStoragesAvailable(c, "node-local", "s3-eks", "gcs-gke", "global");
    }
  }

  @AfterAll
  static void uninstallBoth() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void aPodCheckpointedOnEksInClusterARestoresOnGkeInClusterB() {
    assumeTrue(a.backends.registry != null, a.backends.registryMissing());
    a.applyWorkload(NS, EKS_A);
    Users.awaitPodRunning(a, NS, "counter");

    // Step 3 of docs/migrate-between-clusters.md: a move through the global store.
    a.kubectl.apply(
        """
        apiVersion: stasis.dev/v1alpha1
        kind: Checkpoint
        metadata:
          name: counter-move
        spec:
          podName: counter
          storage: global
          leaveRunning: false
        """,
        NS);
    JsonNode moved = Users.awaitCompleted(a, NS, "counter-move");
    String dir = NS + "/counter/counter-move-" + Users.uid8(moved);
    assertThat(moved.path("status").path("storage").asText()).isEqualTo("global");
    assertThat(moved.path("status").path("nodeName").asText()).isEqualTo(EKS_A);
    assertThat(moved.path("status").path("path").asText()).isEqualTo("stasis://global/" + dir);
    // Written to both members (writeQuorum 2), whole in each.
    for (String member :
        List.of("s3://my-stasis-bucket/checkpoints/", "gs://my-stasis-bucket/checkpoints/")) {
      assertThat(Stored.manifest(member + dir)).as("manifest in %s", member).isNotNull();
      Stored.verify(member + dir);
    }
    // leaveRunning: false made it a move: the pod is gone from cluster A.
    Await.until(
        () -> a.client.pods().inNamespace(NS).withName("counter").get() == null,
        gone -> gone,
        Users.TIMEOUT,
        "pod counter deleted from cluster A after the checkpoint");

    // Cluster B finds it in the shared storage and shows it as an imported Checkpoint.
    String uid = moved.path("metadata").path("uid").asText();
    JsonNode imported =
        Await.until(
            () ->
                b.kubectl.list("stasis.dev/v1alpha1", "Checkpoint", NS).stream()
                    .filter(
                        c ->
                            uid.equals(
                                c.path("metadata")
                                    .path("annotations")
                                    .path("stasis.dev/imported-uid")
                                    .asText()))
                    .findFirst()
                    .orElse(null),
            c -> "Completed".equals(Await.phase(c)),
            Duration.ofSeconds(60),
            "an imported Checkpoint of " + uid + " in cluster B");
    assertThat(imported.path("metadata").path("labels").path("stasis.dev/imported").asText())
        .isEqualTo("true");
    assertThat(imported.path("spec").path("podName").asText()).isEqualTo("counter");
    assertThat(imported.path("status").path("nodeName").asText()).isEqualTo(EKS_A);
    assertThat(imported.path("status").path("containers").get(0).path("sha256").asText())
        .isEqualTo(moved.path("status").path("containers").get(0).path("sha256").asText());
    assertThat(imported.path("status").path("path").asText()).endsWith("/" + dir);

    // Step 4, by the imported Checkpoint's name, on a GKE node of cluster B.
    String importedName = imported.path("metadata").path("name").asText();
    b.kubectl.apply(
        "apiVersion: stasis.dev/v1alpha1\n"
            + "kind: Restore\n"
            + "metadata:\n"
            + "  name: counter-arrives\n"
            + "spec:\n"
            + "  checkpointName: "
            + importedName
            + "\n"
            + "  podName: counter\n"
            + "  nodeSelector:\n"
            + "    cloud.google.com/gke-nodepool: default-pool\n",
        NS);
    JsonNode restore = Users.awaitRestoreDone(b, NS, "counter-arrives");
    assertThat(Await.phase(restore))
        .as("%s", restore.path("status").toPrettyString())
        .isEqualTo("Running");
    assertThat(restore.path("status").path("nodeName").asText()).isEqualTo(GKE_B);
    assertThat(restore.path("status").path("checkpoint").asText()).isEqualTo(importedName);
    JsonNode pod = Users.awaitPodRunning(b, NS, "counter");
    assertThat(pod.path("spec").path("nodeName").asText()).isEqualTo(GKE_B);
    assertThat(pod.path("spec").path("containers").get(0).path("image").asText())
        .startsWith(b.backends.registry.hostPort() + "/stasis/restore:" + uid + "-counter@sha256:");
    // The restore job ran on cluster B's GKE agent (it holds the job), not on cluster A's.
    assertThat(
            b.agents.get(GKE_B).agent().jobs().get(restore.path("metadata").path("uid").asText()))
        .isPresent();
  }
}
