package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Checkpoint reconciler against a mock API server, with agents over gRPC/TLS. */
class CheckpointOperatorTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster(new InMemoryStorage(), tmp);
    cluster.node(
        "eks-node", "aws:///us-east-1a/i-0abc", Map.of("eks.amazonaws.com/nodegroup", "ng1"), true);
    cluster.node(
        "gke-node",
        "gce://proj/us-central1-a/gke-pool-1",
        Map.of("cloud.google.com/gke-nodepool", "pool"),
        true);
    cluster.node("plain-node", "kind://docker/kind/plain-node", Map.of(), true);
    cluster.node("lonely-node", "kind://docker/kind/lonely-node", Map.of(), false);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: s3-eks}
        spec:
          s3: {bucket: eks-bucket, prefix: checkpoints, region: us-east-1}
          match: {cloud: EKS}
          priority: 10
        """);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: gcs-gke}
        spec:
          gcs: {bucket: gke-bucket, prefix: checkpoints}
          match: {cloud: GKE}
          priority: 10
        """);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: node-local}
        spec:
          filesystem: {path: /var/lib/stasis/checkpoints}
          default: true
        """);
    cluster.startOperator(MockCluster.settings());
    await(
        () -> cluster.client.resources(CheckpointStorage.class).withName("node-local").get(),
        s -> s.getStatus() != null && s.getStatus().getPhase() == StoragePhase.Available,
        TIMEOUT,
        "storage validated");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static Checkpoint checkpoint(String ns, String yamlSpec) {
    return cluster.apply(
        Checkpoint.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata: {name: ckpt, namespace: "
            + ns
            + "}\nspec:\n"
            + yamlSpec);
  }

  static Checkpoint awaitPhase(String ns, String name, CheckpointPhase phase) {
    return await(
        () -> cluster.client.resources(Checkpoint.class).inNamespace(ns).withName(name).get(),
        c -> c.getStatus() != null && c.getStatus().getPhase() == phase,
        TIMEOUT,
        ns + "/" + name + " " + phase);
  }

  static Condition ready(Checkpoint c) {
    return c.getStatus().getConditions().stream()
        .filter(x -> x.getType().equals("Ready"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aPodOnAnEksNodeGoesToTheS3Storage() {
    cluster.namespace("eks");
    cluster.pod("eks", "web", "eks-node", "Running", Map.of("app", "web"), "web");
    checkpoint("eks", "  podName: web\n");
    Checkpoint done = awaitPhase("eks", "ckpt", CheckpointPhase.Completed);
    assertThat(done.getStatus().getStorage()).isEqualTo("s3-eks");
    assertThat(done.getStatus().getStorageReason())
        .isEqualTo("node matches cloud EKS (priority 10)");
    assertThat(done.getStatus().getPath()).startsWith("s3://eks-bucket/checkpoints/eks/web/ckpt-");
    assertThat(done.getStatus().getNodeName()).isEqualTo("eks-node");
  }

  @Test
  void aPodOnAGkeNodeGoesToTheGcsStorage() {
    cluster.namespace("gke");
    cluster.pod("gke", "web", "gke-node", "Running", Map.of(), "web");
    checkpoint("gke", "  podName: web\n");
    Checkpoint done = awaitPhase("gke", "ckpt", CheckpointPhase.Completed);
    assertThat(done.getStatus().getStorage()).isEqualTo("gcs-gke");
    assertThat(done.getStatus().getStorageReason())
        .isEqualTo("node matches cloud GKE (priority 10)");
    assertThat(done.getStatus().getPath()).startsWith("gs://gke-bucket/checkpoints/gke/web/ckpt-");
  }

  @Test
  void aPodOnAPlainNodeGoesToTheDefaultAndAnExplicitDirWins() {
    cluster.namespace("plain");
    cluster.pod("plain", "web", "plain-node", "Running", Map.of(), "web");
    checkpoint("plain", "  podName: web\n");
    Checkpoint done = awaitPhase("plain", "ckpt", CheckpointPhase.Completed);
    assertThat(done.getStatus().getStorage()).isEqualTo("node-local");
    assertThat(done.getStatus().getStorageReason()).isEqualTo("default storage");
    assertThat(done.getStatus().getPath())
        .startsWith("file:///var/lib/stasis/checkpoints/plain/web/ckpt-");

    cluster.namespace("dir");
    cluster.pod("dir", "web", "eks-node", "Running", Map.of(), "web");
    checkpoint("dir", "  podName: web\n  dir: s3://elsewhere/x\n");
    Checkpoint explicit = awaitPhase("dir", "ckpt", CheckpointPhase.Completed);
    assertThat(explicit.getStatus().getStorage()).isEqualTo("s3://elsewhere/x");
    assertThat(explicit.getStatus().getStorageReason()).isEqualTo("spec.dir");
    assertThat(explicit.getStatus().getPath()).startsWith("s3://elsewhere/x/dir/web/ckpt-");
  }
}
