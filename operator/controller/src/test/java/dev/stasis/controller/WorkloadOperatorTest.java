package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.api.v1alpha1.WorkloadPodCheckpoint;
import dev.stasis.api.v1alpha1.WorkloadPodRestore;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole workloads: a Checkpoint of a Deployment (workloadRef) or of labels (selector) takes every
 * Running pod through one Checkpoint per pod; a Restore of it brings every pod back, outside the
 * Deployment (its controller labels dropped).
 */
class WorkloadOperatorTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String NS = "shop";
  static final List<String> WEB_PODS =
      List.of("web-5d9c7b6f4-aaaaa", "web-5d9c7b6f4-bbbbb", "web-5d9c7b6f4-ccccc");
  @TempDir static Path tmp;
  static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster(new InMemoryStorage(), tmp);
    cluster.node("node-a", "kind://node-a", Map.of(), true);
    cluster.node("node-b", "kind://node-b", Map.of(), true);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: shared}
        spec: {s3: {bucket: shared-bucket, prefix: stasis}, default: true}
        """);
    cluster.namespace(NS);
    cluster.startOperator(MockCluster.settings());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** A 3-replica Deployment and its pods as the ReplicaSet and the kubelets would run them. */
  static void webDeployment() {
    cluster
        .client
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withReplicas(3)
                .withNewSelector()
                .withMatchLabels(Map.of("app", "web"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", "web"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("web")
                .withImage("docker.io/library/nginx:1.27")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    for (int i = 0; i < WEB_PODS.size(); i++) {
      cluster.pod(
          NS,
          WEB_PODS.get(i),
          i % 2 == 0 ? "node-a" : "node-b",
          "Running",
          Map.of("app", "web", "pod-template-hash", "5d9c7b6f4"),
          "web",
          "sidecar");
    }
  }

  static Checkpoint checkpoint(String name, String spec) {
    cluster.apply(
        Checkpoint.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata: {name: "
            + name
            + ", namespace: "
            + NS
            + "}\nspec:\n"
            + spec);
    return await(
        () -> cluster.client.resources(Checkpoint.class).inNamespace(NS).withName(name).get(),
        c ->
            c.getStatus() != null
                && c.getStatus().getPhase() != null
                && c.getStatus().getPhase().isFinal(),
        TIMEOUT,
        name + " ended");
  }

  static Condition ready(List<Condition> conditions) {
    return conditions.stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
  }

  static void assertOwnedBy(HasMetadata child, HasMetadata parent) {
    assertThat(child.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo(parent.getKind());
              assertThat(o.getName()).isEqualTo(parent.getMetadata().getName());
              assertThat(o.getUid()).isEqualTo(parent.getMetadata().getUid());
              assertThat(o.getController()).isTrue();
              assertThat(o.getBlockOwnerDeletion()).isTrue();
            });
  }

  @Test
  void aDeploymentOfThreePodsIsCheckpointedAndRestoredAsThreePods() {
    webDeployment();
    Checkpoint parent =
        checkpoint("web-ckpt", "  workloadRef: {kind: Deployment, name: web}\n  ttl: 7d\n");

    // The workload checkpoint: Completed, its three pods, their size, how far apart.
    var s = parent.getStatus();
    assertThat(s.getPhase()).isEqualTo(CheckpointPhase.Completed);
    assertThat(s.getTarget()).isEqualTo("Deployment/web");
    assertThat(s.getPods())
        .extracting(WorkloadPodCheckpoint::getPod)
        .containsExactlyElementsOf(WEB_PODS);
    assertThat(s.getPods())
        .extracting(WorkloadPodCheckpoint::getCheckpoint)
        .containsExactly(
            "web-ckpt-" + WEB_PODS.get(0),
            "web-ckpt-" + WEB_PODS.get(1),
            "web-ckpt-" + WEB_PODS.get(2));
    assertThat(s.getPods())
        .extracting(WorkloadPodCheckpoint::getNodeName)
        .containsExactly("node-a", "node-b", "node-a");
    assertThat(s.getPods())
        .allSatisfy(
            p -> {
              assertThat(p.getPhase()).isEqualTo(CheckpointPhase.Completed);
              assertThat(p.getPath())
                  .startsWith(
                      "s3://shared-bucket/stasis/shop/"
                          + p.getPod()
                          + "/"
                          + p.getCheckpoint()
                          + "-");
              assertThat(p.getCheckpointTime()).isNotNull();
            });
    assertThat(s.getSpreadMillis()).isNotNull().isBetween(0L, 10_000L);
    assertThat(s.getSpread()).matches("[0-9]+ms|[0-9]+\\.[0-9]s");
    assertThat(ready(s.getConditions()).getReason()).isEqualTo("Completed");
    assertThat(s.getMessage()).contains("3 pods of Deployment/web completed");

    // One Checkpoint per pod, owned by the workload checkpoint, each Completed by the agent.
    List<Checkpoint> children =
        cluster
            .client
            .resources(Checkpoint.class)
            .inNamespace(NS)
            .withLabel("stasis.dev/workload-checkpoint", "web-ckpt")
            .list()
            .getItems();
    assertThat(children).hasSize(3);
    long size = 0;
    for (Checkpoint child : children) {
      assertOwnedBy(child, parent);
      assertThat(child.getSpec().getPodName()).isIn(WEB_PODS);
      assertThat(child.getSpec().getWorkloadRef()).isNull();
      assertThat(child.getSpec().getTtl()).isEqualTo("7d");
      assertThat(child.getStatus().getPhase()).isEqualTo(CheckpointPhase.Completed);
      assertThat(child.getStatus().getContainers()).hasSize(2);
      size += child.getStatus().getSize();
    }
    assertThat(s.getSize()).isEqualTo(size);
    assertThat(cluster.agents.get("node-a").dumps.get() + cluster.agents.get("node-b").dumps.get())
        .isGreaterThanOrEqualTo(3);

    // kubectl get checkpoints -o wide: the workload checkpoint shows its target and spread.
    Map<String, String> columns = CheckpointLifecycleTest.printerColumns(parent);
    assertThat(columns)
        .containsEntry("PHASE", "Completed")
        .containsEntry("TARGET", "Deployment/web")
        .containsEntry("SPREAD", s.getSpread())
        .containsEntry("SIZE", s.getDisplaySize());

    // The Restore of it: one Restore per pod, three restored pods, outside the Deployment.
    cluster.apply(
        Restore.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: Restore\nmetadata: {name: web-back, namespace: "
            + NS
            + "}\nspec: {checkpointName: web-ckpt}\n");
    Restore restoring =
        await(
            () -> restore("web-back"),
            r ->
                r.getStatus() != null
                    && r.getStatus().getPods() != null
                    && r.getStatus().getPods().stream().allMatch(p -> p.getRestoredPod() != null),
            TIMEOUT,
            "three restored pods created");
    assertThat(restoring.getStatus().getCheckpoint()).isEqualTo("web-ckpt");
    for (WorkloadPodRestore p : restoring.getStatus().getPods()) {
      assertThat(p.getRestore()).isEqualTo("web-back-" + p.getPod());
      Restore child = restore(p.getRestore());
      assertOwnedBy(child, restoring);
      assertThat(child.getSpec().getCheckpointName()).isEqualTo("web-ckpt-" + p.getPod());
      // The originals still run, so each restored pod gets a -restored-<suffix> name.
      assertThat(p.getRestoredPod()).matches(p.getPod() + "-restored-[a-z0-9]{5}");
      Pod pod = cluster.client.pods().inNamespace(NS).withName(p.getRestoredPod()).get();
      assertThat(pod.getMetadata().getLabels())
          .containsEntry("app", "web")
          .containsEntry("stasis.dev/restored-from", "web-ckpt-" + p.getPod())
          .containsEntry("stasis.dev/restore", p.getRestore())
          .containsEntry("stasis.dev/workload-restore", "web-back")
          .doesNotContainKey("pod-template-hash");
      assertOwnedBy(pod, child);
      cluster.markRunning(NS, p.getRestoredPod());
    }
    Restore running =
        await(
            () -> restore("web-back"),
            r -> r.getStatus().getPhase() == RestorePhase.Running,
            TIMEOUT,
            "web-back Running");
    assertThat(running.getStatus().getPods())
        .hasSize(3)
        .allSatisfy(p -> assertThat(p.getPhase()).isEqualTo(RestorePhase.Running));
    assertThat(ready(running.getStatus().getConditions()).getStatus()).isEqualTo("True");
    assertThat(
            cluster
                .client
                .pods()
                .inNamespace(NS)
                .withLabel("stasis.dev/workload-restore", "web-back")
                .list()
                .getItems())
        .hasSize(3);
    // The Deployment's pods are untouched: 3 originals + 3 restored, none of them adopted.
    assertThat(
            cluster.client.pods().inNamespace(NS).withLabel("pod-template-hash").list().getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrderElementsOf(WEB_PODS);
  }

  @Test
  void latestOfASelectorRestoresTheWholeWorkloadCheckpoint() {
    cluster.pod(NS, "api-0", "node-a", "Running", Map.of("app", "api"), "api");
    cluster.pod(NS, "api-1", "node-b", "Running", Map.of("app", "api"), "api");
    Checkpoint parent = checkpoint("api-ckpt", "  selector: {app: api}\n");
    assertThat(parent.getStatus().getPhase()).isEqualTo(CheckpointPhase.Completed);
    assertThat(parent.getStatus().getTarget()).isEqualTo("app=api");

    cluster.apply(
        Restore.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: Restore\nmetadata: {name: api-back, namespace: "
            + NS
            + "}\nspec: {latestOf: {selector: {app: api}}}\n");
    Restore r =
        await(
            () -> restore("api-back"),
            x -> x.getStatus() != null && x.getStatus().getPods() != null,
            TIMEOUT,
            "api-back started its pods' Restores");
    assertThat(r.getStatus().getCheckpoint()).isEqualTo("api-ckpt");
    assertThat(r.getStatus().getPods())
        .extracting(WorkloadPodRestore::getCheckpoint)
        .containsExactly("api-ckpt-api-0", "api-ckpt-api-1");
  }

  @Test
  void aSelectorMatchingNoRunningPodFailsWithNoTargetPods() {
    cluster.pod(NS, "batch-0", "node-a", "Succeeded", Map.of("app", "batch"), "batch");
    Checkpoint c = checkpoint("batch-ckpt", "  selector: {app: batch}\n");
    assertThat(c.getStatus().getPhase()).isEqualTo(CheckpointPhase.Failed);
    assertThat(ready(c.getStatus().getConditions()).getReason()).isEqualTo("NoTargetPods");
    assertThat(c.getStatus().getMessage())
        .isEqualTo("no Running pod in namespace shop carries app=batch");
    assertThat(
            cluster
                .client
                .resources(Checkpoint.class)
                .inNamespace(NS)
                .withLabel("stasis.dev/workload-checkpoint", "batch-ckpt")
                .list()
                .getItems())
        .isEmpty();
    assertThat(
            cluster.client.events().v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "batch-ckpt".equals(e.getRegarding().getName()))
                .map(e -> e.getReason())
                .toList())
        .contains("NoTargetPods");
  }

  @Test
  void aPodWhoseCheckpointFailsFailsTheWorkloadWithPodsFailedNamingIt() {
    cluster.pod(NS, "queue-0", "node-a", "Running", Map.of("app", "queue"), "queue");
    cluster.pod(NS, "queue-1", "node-b", "Running", Map.of("app", "queue"), "queue");
    cluster.agents.get("node-b").failures.put("queue-1", "CheckpointUnsupported");
    Checkpoint c = checkpoint("queue-ckpt", "  selector: {app: queue}\n");
    assertThat(c.getStatus().getPhase()).isEqualTo(CheckpointPhase.Failed);
    assertThat(ready(c.getStatus().getConditions()).getReason()).isEqualTo("PodsFailed");
    assertThat(c.getStatus().getMessage())
        .startsWith("the checkpoints of 1 of 2 pods failed: queue-1 (")
        .doesNotContain("queue-0");
    assertThat(c.getStatus().getPods())
        .extracting(WorkloadPodCheckpoint::getPhase)
        .containsExactly(CheckpointPhase.Completed, CheckpointPhase.Failed);
  }

  static Restore restore(String name) {
    return cluster.client.resources(Restore.class).inNamespace(NS).withName(name).get();
  }
}
