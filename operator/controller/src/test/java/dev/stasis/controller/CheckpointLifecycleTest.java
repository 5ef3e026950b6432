package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import dev.stasis.testsupport.crd.CrdValidator;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What users see of a Checkpoint, and what happens after it: deletion policy, ttl, migration. */
class CheckpointLifecycleTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  static MockCluster cluster;
  static InMemoryStorage storage = new InMemoryStorage();

  @BeforeAll
  static void start() {
    cluster = new MockCluster(storage, tmp);
    cluster.node(
        "node-1", "aws:///eu-west-1a/i-1", Map.of("karpenter.sh/nodepool", "default"), true);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: s3-eks}
        spec: {s3: {bucket: ckpts, prefix: prod}, match: {cloud: EKS}, priority: 10}
        """);
    cluster.namespace("shop");
    cluster.startOperator(MockCluster.settings());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static Checkpoint get(String name) {
    return cluster.client.resources(Checkpoint.class).inNamespace("shop").withName(name).get();
  }

  static Checkpoint completed(String name, String spec) {
    cluster.apply(
        Checkpoint.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata: {name: "
            + name
            + ", namespace: shop}\nspec:\n"
            + spec);
    return await(
        () -> get(name),
        c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Completed,
        TIMEOUT,
        name + " Completed");
  }

  /** The columns of `kubectl get checkpoints -o wide`, evaluated as kubectl does from the CRD. */
  static Map<String, String> printerColumns(Checkpoint checkpoint) {
    JsonNode crd =
        CrdValidator.readDocuments(
                MockCluster.repoRoot().resolve("crds/checkpoints.stasis.dev-v1.yml"))
            .get(0);
    JsonNode object = Serialization.jsonMapper().valueToTree(checkpoint);
    Map<String, String> columns = new LinkedHashMap<>();
    for (JsonNode column :
        crd.path("spec").path("versions").get(0).path("additionalPrinterColumns")) {
      JsonNode value = object;
      for (String part : column.path("jsonPath").asText().substring(1).split("\\.")) {
        value = value.path(part);
      }
      columns.put(column.path("name").asText(), value.isMissingNode() ? "<none>" : value.asText());
    }
    return columns;
  }

  @Test
  void aCompletedCheckpointShowsWhatAUserReads() {
    cluster.pod("shop", "cart", "node-1", "Running", Map.of("app", "cart"), "cart", "sidecar");
    Checkpoint c = completed("cart-1", "  podName: cart\n");
    var s = c.getStatus();
    assertThat(s.getNodeName()).isEqualTo("node-1");
    assertThat(s.getStorage()).isEqualTo("s3-eks");
    assertThat(s.getStorageReason()).isEqualTo("node matches cloud EKS (priority 10)");
    assertThat(s.getPath()).matches("s3://ckpts/prod/shop/cart/cart-1-[0-9a-f-]{8}");
    assertThat(s.getContainers()).extracting("name").containsExactly("cart", "sidecar");
    assertThat(s.getContainers())
        .allSatisfy(
            ct -> {
              assertThat(ct.getSha256()).matches("[0-9a-f]{64}");
              assertThat(ct.getObject()).startsWith(s.getPath() + "/").endsWith(".tar.zst");
              assertThat(ct.getArchiveBytes()).isGreaterThan(ct.getStoredBytes());
              assertThat(ct.getImage()).isEqualTo("docker.io/library/busybox:1.36");
            });
    assertThat(s.getSize())
        .isEqualTo(s.getContainers().stream().mapToLong(x -> x.getStoredBytes()).sum());
    assertThat(s.getDisplaySize()).matches("[0-9]+\\.[0-9]Ki");
    assertThat(s.getProgress().getBytesDone())
        .isEqualTo(s.getProgress().getTotalBytes())
        .isPositive();
    assertThat(s.getStartTime()).isNotNull();
    assertThat(s.getCompletionTime()).isNotNull();
    assertThat(s.getObservedGeneration()).isEqualTo(c.getMetadata().getGeneration());
    assertThat(s.getMessage())
        .isEqualTo(
            "checkpoint of pod cart stored at " + s.getPath() + " (" + s.getDisplaySize() + ")");
    assertThat(s.getConditions())
        .extracting("type", "status", "reason")
        .contains(
            org.assertj.core.groups.Tuple.tuple("Ready", "True", "Completed"),
            org.assertj.core.groups.Tuple.tuple("StorageSelected", "True", "NodeMatch"),
            org.assertj.core.groups.Tuple.tuple("Dumped", "True", "Completed"),
            org.assertj.core.groups.Tuple.tuple("Uploaded", "True", "Completed"));
    assertThat(c.getMetadata().getFinalizers()).containsExactly("stasis.dev/finalizer");
    assertThat(c.getMetadata().getLabels()).containsEntry("stasis.dev/pod", "cart");

    assertThat(printerColumns(c))
        .containsExactly(
            Map.entry("POD", "cart"),
            Map.entry("PHASE", "Completed"),
            Map.entry("SIZE", s.getDisplaySize()),
            Map.entry("PATH", s.getPath()),
            Map.entry("AGE", c.getMetadata().getCreationTimestamp()),
            Map.entry("NODE", "node-1"),
            Map.entry("STORAGE", "s3-eks"),
            Map.entry("TARGET", "<none>"), // a workload checkpoint's only (docs/workloads.md)
            Map.entry("SPREAD", "<none>"));

    List<Event> events =
        cluster.client.events().v1().events().inNamespace("shop").list().getItems().stream()
            .filter(e -> "cart-1".equals(e.getRegarding().getName()))
            .toList();
    assertThat(events).extracting(Event::getReason).contains("Checkpointing", "Completed");
    assertThat(events)
        .filteredOn(e -> e.getReason().equals("Checkpointing"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Normal");
              assertThat(e.getRegarding().getKind()).isEqualTo("Checkpoint");
              assertThat(e.getReportingController()).isEqualTo("stasis.dev/operator");
              assertThat(e.getNote())
                  .isEqualTo(
                      "checkpointing pod cart on node node-1 to s3-eks (node matches cloud EKS (priority 10))");
            });
  }

  @Test
  void deletionPolicyDeleteRemovesTheObjectsAndRetainKeepsThem() {
    cluster.pod("shop", "db", "node-1", "Running", Map.of(), "db");
    Checkpoint toDelete = completed("db-delete", "  podName: db\n  deletionPolicy: Delete\n");
    Checkpoint toKeep = completed("db-retain", "  podName: db\n");
    String deleted = toDelete.getStatus().getPath();
    String kept = toKeep.getStatus().getPath();
    assertThat(storage.contains(deleted)).isTrue();
    assertThat(storage.contains(kept)).isTrue();

    cluster.client.resources(Checkpoint.class).inNamespace("shop").withName("db-delete").delete();
    cluster.client.resources(Checkpoint.class).inNamespace("shop").withName("db-retain").delete();
    await(() -> gone(toDelete) && gone(toKeep), b -> b, TIMEOUT, "both Checkpoints gone");

    assertThat(storage.contains(deleted)).isFalse();
    assertThat(storage.deleted).contains(deleted);
    assertThat(storage.contains(kept)).isTrue();
    assertThat(storage.deleted).doesNotContain(kept);
  }

  @Test
  void aTtlDeletesTheCheckpointAfterCompletion() {
    cluster.pod("shop", "cache", "node-1", "Running", Map.of(), "cache");
    Checkpoint c = completed("cache-ttl", "  podName: cache\n  ttl: 3s\n");
    assertThat(c.getStatus().getPhase()).isEqualTo(CheckpointPhase.Completed);
    await(() -> gone(c), b -> b, TIMEOUT, "cache-ttl deleted by its ttl");
    assertThat(storage.contains(c.getStatus().getPath())).as("Retain keeps the objects").isTrue();
  }

  /**
   * The Checkpoint that took the checkpoint is gone. The storage sync (every 2 s here) may import
   * what a Retain Checkpoint left in storage again under its name: that is a new, imported object.
   */
  private boolean gone(Checkpoint original) {
    Checkpoint now = get(original.getMetadata().getName());
    if (now == null) {
      return true;
    }
    if (now.getMetadata().getUid().equals(original.getMetadata().getUid())) {
      return false;
    }
    assertThat(now.getMetadata().getLabels()).containsEntry(Stasis.LABEL_IMPORTED, "true");
    return true;
  }

  @Test
  void leaveRunningFalseDeletesThePodOnceCompleted() {
    cluster.pod("shop", "mover", "node-1", "Running", Map.of(), "mover");
    completed("mover-1", "  podName: mover\n  leaveRunning: false\n");
    await(
        () -> cluster.client.pods().inNamespace("shop").withName("mover").get() == null,
        b -> b,
        TIMEOUT,
        "pod deleted");
    // The operator deletes the pod, then records it in the status: the condition comes a moment
    // after the pod is gone.
    Checkpoint c =
        await(
            () -> get("mover-1"),
            k ->
                k.getStatus() != null
                    && k.getStatus().getConditions().stream()
                        .anyMatch(cond -> "PodDeleted".equals(cond.getType())),
            TIMEOUT,
            "the PodDeleted condition");
    assertThat(c.getStatus().getConditions())
        .anySatisfy(
            cond -> {
              assertThat(cond.getType()).isEqualTo("PodDeleted");
              assertThat(cond.getMessage())
                  .isEqualTo("deleted pod mover after the checkpoint (leaveRunning: false)");
            });
  }

  @Test
  void anOperatorRestartedMidCheckpointFinishesItWithoutASecondDump() throws Exception {
    InMemoryStorage own = new InMemoryStorage();
    try (MockCluster c2 = new MockCluster(own, tmp.resolve("restart"))) {
      c2.node("n1", "kind://n1", Map.of(), true);
      c2.apply(
          CheckpointStorage.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: CheckpointStorage
          metadata: {name: local}
          spec: {filesystem: {path: /data}, default: true}
          """);
      c2.namespace("app");
      c2.pod("app", "slow", "n1", "Running", Map.of(), "main");
      var agent = c2.agents.get("n1");
      CountDownLatch gate = new CountDownLatch(1);
      agent.gates.put("slow", gate);

      StasisOperator first = c2.startOperator(MockCluster.settings());
      c2.apply(
          Checkpoint.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: Checkpoint
          metadata: {name: slow-1, namespace: app}
          spec: {podName: slow}
          """);
      await(
          () -> c2.client.resources(Checkpoint.class).inNamespace("app").withName("slow-1").get(),
          x -> x.getStatus() != null && x.getStatus().getPhase() == CheckpointPhase.Checkpointing,
          TIMEOUT,
          "Checkpointing");
      first.close();
      int callsBefore = agent.calls.get();

      c2.startOperator(MockCluster.settings());
      Thread.sleep(1000); // the new operator polls the running job
      gate.countDown();
      Checkpoint done =
          await(
              () ->
                  c2.client.resources(Checkpoint.class).inNamespace("app").withName("slow-1").get(),
              x -> x.getStatus() != null && x.getStatus().getPhase() == CheckpointPhase.Completed,
              TIMEOUT,
              "Completed");
      assertThat(agent.dumps.get()).as("kubelet checkpoints taken").isEqualTo(1);
      assertThat(agent.calls.get())
          .as("the second operator talked to the agent")
          .isGreaterThan(callsBefore);
      assertThat(own.contains(done.getStatus().getPath())).isTrue();
    }
  }
}
