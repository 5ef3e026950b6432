package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restores: by name, by latestOf, and in a second cluster that reads the same storage. */
class RestoreOperatorTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  static InMemoryStorage storage = new InMemoryStorage();
  static MockCluster cluster;

  static final String SHARED_STORAGE =
      """
      apiVersion: stasis.dev/v1alpha1
      kind: CheckpointStorage
      metadata: {name: shared}
      spec: {s3: {bucket: shared-bucket, prefix: stasis}, default: true}
      """;

  @BeforeAll
  static void start() {
    cluster = new MockCluster(storage, tmp.resolve("a"));
    cluster.node("node-a", "kind://node-a", Map.of("zone", "a"), true);
    cluster.node("node-b", "kind://node-b", Map.of("zone", "b"), true);
    cluster.apply(CheckpointStorage.class, SHARED_STORAGE);
    cluster.namespace("demo");
    cluster.startOperator(MockCluster.settings());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static Checkpoint checkpoint(MockCluster c, String name, String pod) {
    c.apply(
        Checkpoint.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata: {name: "
            + name
            + ", namespace: demo}\nspec: {podName: "
            + pod
            + "}\n");
    return await(
        () -> c.client.resources(Checkpoint.class).inNamespace("demo").withName(name).get(),
        x -> x.getStatus() != null && x.getStatus().getPhase() == CheckpointPhase.Completed,
        TIMEOUT,
        name + " Completed");
  }

  static Restore restore(MockCluster c, String name, String spec) {
    c.apply(
        Restore.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: Restore\nmetadata: {name: "
            + name
            + ", namespace: demo}\nspec:\n"
            + spec);
    return await(
        () -> c.client.resources(Restore.class).inNamespace("demo").withName(name).get(),
        x ->
            x.getStatus() != null && x.getStatus().getRestoredPod() != null
                || x.getStatus() != null && x.getStatus().getPhase() == RestorePhase.Failed,
        TIMEOUT,
        name + " created its pod");
  }

  static Restore running(MockCluster c, Restore r) {
    c.markRunning("demo", r.getStatus().getRestoredPod());
    return await(
        () ->
            c.client
                .resources(Restore.class)
                .inNamespace("demo")
                .withName(r.getMetadata().getName())
                .get(),
        x -> x.getStatus().getPhase() == RestorePhase.Running,
        TIMEOUT,
        "Running");
  }

  @Test
  void aCheckpointRestoresAsAPodFromItsSavedSpecWithTheCheckpointImages() {
    cluster.pod("demo", "counter", "node-a", "Running", Map.of("app", "counter"), "counter");
    Checkpoint c = checkpoint(cluster, "counter-1", "counter");
    Restore r = restore(cluster, "counter-restore", "  checkpointName: counter-1\n");
    assertThat(r.getStatus().getPhase()).isEqualTo(RestorePhase.Restoring);
    String uid8 = c.getMetadata().getUid().substring(0, 8);

    // The original pod still runs, so the restored one gets a suffix.
    assertThat(r.getStatus().getRestoredPod()).matches("counter-restored-[a-z0-9]{5}");
    Pod pod =
        cluster.client.pods().inNamespace("demo").withName(r.getStatus().getRestoredPod()).get();
    assertThat(pod.getSpec().getNodeName()).isEqualTo("node-a");
    assertThat(pod.getSpec().getContainers())
        .singleElement()
        .satisfies(
            ct -> {
              assertThat(ct.getImage())
                  .matches(
                      "registry\\.test:5000/stasis/checkpoints:"
                          + uid8
                          + "-counter@sha256:[0-9a-f]{64}");
              assertThat(ct.getCommand()).containsExactly("sleep", "infinity");
            });
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("app", "counter")
        .containsEntry("stasis.dev/restored-from", "counter-1")
        .containsEntry("stasis.dev/restore", "counter-restore");
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("stasis.dev/checkpoint-path", c.getStatus().getPath());
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("Restore");
              assertThat(o.getName()).isEqualTo("counter-restore");
              assertThat(o.getController()).isTrue();
            });

    Restore done = running(cluster, r);
    assertThat(done.getStatus().getCheckpoint()).isEqualTo("counter-1");
    assertThat(done.getStatus().getPath()).isEqualTo(c.getStatus().getPath());
    assertThat(done.getStatus().getNodeName()).isEqualTo("node-a");
    assertThat(done.getStatus().getImages())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getContainer()).isEqualTo("counter");
              assertThat(i.getDigest()).startsWith("sha256:");
            });
    assertThat(done.getStatus().getConditions())
        .extracting("type", "status")
        .contains(
            org.assertj.core.groups.Tuple.tuple("Ready", "True"),
            org.assertj.core.groups.Tuple.tuple("SourceResolved", "True"),
            org.assertj.core.groups.Tuple.tuple("ImagesPushed", "True"),
            org.assertj.core.groups.Tuple.tuple("PodRunning", "True"));
    assertThat(
            cluster.client.events().v1().events().inNamespace("demo").list().getItems().stream()
                .filter(e -> "counter-restore".equals(e.getRegarding().getName()))
                .map(e -> e.getReason())
                .toList())
        .contains("Downloading", "Restoring", "PodCreated", "Running");
  }

  @Test
  void theNamedPodAndNodeAreUsedAndAFreeOriginalNameIsKept() {
    cluster.pod("demo", "solo", "node-a", "Running", Map.of(), "main");
    checkpoint(cluster, "solo-1", "solo");
    Restore named =
        restore(
            cluster,
            "solo-named",
            "  checkpointName: solo-1\n  podName: solo-copy\n  nodeName: node-b\n");
    assertThat(named.getStatus().getRestoredPod()).isEqualTo("solo-copy");
    assertThat(
            cluster
                .client
                .pods()
                .inNamespace("demo")
                .withName("solo-copy")
                .get()
                .getSpec()
                .getNodeName())
        .isEqualTo("node-b");

    cluster.client.pods().inNamespace("demo").withName("solo").delete();
    await(
        () -> cluster.client.pods().inNamespace("demo").withName("solo").get() == null,
        b -> b,
        TIMEOUT,
        "solo gone");
    Restore back =
        restore(cluster, "solo-back", "  checkpointName: solo-1\n  nodeSelector: {zone: b}\n");
    assertThat(back.getStatus().getRestoredPod()).isEqualTo("solo");
    assertThat(back.getStatus().getNodeName()).isEqualTo("node-b");
  }

  @Test
  void latestOfPicksTheNewestCompletedCheckpoint() throws Exception {
    cluster.pod("demo", "web-0", "node-a", "Running", Map.of("app", "web"), "web");
    checkpoint(cluster, "web-old", "web-0");
    Thread.sleep(1100); // completion times have second precision
    Checkpoint newest = checkpoint(cluster, "web-new", "web-0");
    Restore byPod =
        restore(cluster, "web-latest", "  latestOf: {podName: web-0}\n  podName: web-latest\n");
    assertThat(byPod.getStatus().getCheckpoint()).isEqualTo("web-new");
    assertThat(byPod.getStatus().getPath()).isEqualTo(newest.getStatus().getPath());
    Restore byLabels =
        restore(
            cluster,
            "web-latest-app",
            "  latestOf: {selector: {app: web}}\n  podName: web-latest-app\n");
    assertThat(byLabels.getStatus().getCheckpoint()).isEqualTo("web-new");
  }

  @Test
  void aRestoreOfNothingFailsWithAReason() {
    Restore missing = restore(cluster, "ghost-restore", "  checkpointName: ghost\n");
    assertThat(missing.getStatus().getPhase()).isEqualTo(RestorePhase.Failed);
    assertThat(missing.getStatus().getMessage()).isEqualTo("Checkpoint demo/ghost does not exist");
    assertThat(missing.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("CheckpointNotFound"));
    Restore none = restore(cluster, "nobody-restore", "  latestOf: {podName: nobody}\n");
    assertThat(none.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("NoCheckpointFound"));
  }

  @Test
  void aTakenPodNameOrANodeSelectorNothingFitsFailsWithTheReason() {
    cluster.pod("demo", "busy", "node-a", "Running", Map.of(), "main");
    checkpoint(cluster, "busy-1", "busy");
    Restore taken = restore(cluster, "busy-taken", "  checkpointName: busy-1\n  podName: busy\n");
    assertThat(taken.getStatus().getPhase()).isEqualTo(RestorePhase.Failed);
    assertThat(taken.getStatus().getMessage())
        .isEqualTo("pod demo/busy (spec.podName) already exists");
    assertThat(taken.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("PodCreateFailed"));
    Restore nowhere =
        restore(
            cluster, "busy-nowhere", "  checkpointName: busy-1\n  nodeSelector: {zone: mars}\n");
    assertThat(nowhere.getStatus().getPhase()).isEqualTo(RestorePhase.Failed);
    assertThat(nowhere.getStatus().getMessage())
        .isEqualTo("no Ready node labelled {zone=mars} has a running Stasis agent");
    assertThat(nowhere.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("NoNodeAvailable"));
  }

  @Test
  void aCheckpointTakenHereIsImportedAndRestoredByASecondCluster() {
    cluster.pod("demo", "travel", "node-a", "Running", Map.of("app", "travel"), "travel");
    Checkpoint original = checkpoint(cluster, "travel-1", "travel");

    try (MockCluster second = new MockCluster(storage, tmp.resolve("b"))) {
      second.node("far-node", "kind://far-node", Map.of(), true);
      second.apply(CheckpointStorage.class, SHARED_STORAGE);
      second.namespace("demo");
      second.startOperator(MockCluster.settings());

      Checkpoint imported =
          await(
              () ->
                  second
                      .client
                      .resources(Checkpoint.class)
                      .inNamespace("demo")
                      .withName("travel-1")
                      .get(),
              x -> x.getStatus() != null && x.getStatus().getPhase() == CheckpointPhase.Completed,
              TIMEOUT,
              "travel-1 imported");
      assertThat(imported.getMetadata().getLabels())
          .containsEntry("stasis.dev/imported", "true")
          .containsEntry("stasis.dev/pod", "travel");
      assertThat(imported.getStatus().getPath()).isEqualTo(original.getStatus().getPath());
      assertThat(imported.getStatus().getSize()).isEqualTo(original.getStatus().getSize());
      assertThat(imported.getStatus().getStorageReason()).isEqualTo("imported from storage shared");
      assertThat(imported.getStatus().getContainers())
          .extracting("sha256")
          .isEqualTo(
              original.getStatus().getContainers().stream().map(x -> x.getSha256()).toList());

      Restore r = restore(second, "travel-here", "  checkpointName: travel-1\n");
      assertThat(r.getStatus().getRestoredPod()).isEqualTo("travel");
      assertThat(r.getStatus().getNodeName()).isEqualTo("far-node");
      Restore done = running(second, r);
      assertThat(done.getStatus().getPhase()).isEqualTo(RestorePhase.Running);
      assertThat(second.agents.get("far-node").restores.get()).isEqualTo(1);
      // The first cluster keeps its own resource and does not import its own checkpoint again.
      assertThat(
              cluster
                  .client
                  .resources(Checkpoint.class)
                  .inNamespace("demo")
                  .withLabel("stasis.dev/imported")
                  .list()
                  .getItems())
          .isEmpty();
    }
  }

  /** A pod of a Deployment, with its ReplicaSet's label and an annotation kubectl apply left. */
  static Checkpoint deploymentPodCheckpoint(String pod, String checkpoint) {
    cluster.apply(
        Pod.class,
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: demo
          labels: {app: shop, tier: front, pod-template-hash: 7d9f5c}
          annotations:
            team.example.com/owner: payments
            kubectl.kubernetes.io/last-applied-configuration: '{"kind":"Pod"}'
        spec:
          nodeName: node-a
          containers:
          - {name: shop, image: docker.io/library/busybox:1.36, command: [sleep, infinity]}
        status: {phase: Running}
        """
            .formatted(pod));
    return checkpoint(cluster, checkpoint, pod);
  }

  @Test
  void latestOfSelectorFindsTheNewestCheckpointImportedFromAnotherClustersStorage()
      throws Exception {
    deploymentPodCheckpoint("shop-7d9f5c-aaaaa", "shop-older");
    Thread.sleep(1100); // creation times of the same second would tie
    Checkpoint newest = deploymentPodCheckpoint("shop-7d9f5c-bbbbb", "shop-newer");
    Thread.sleep(1100);
    cluster.pod("demo", "cart-0", "node-a", "Running", Map.of("app", "cart"), "cart");
    checkpoint(cluster, "cart-newest", "cart-0");

    // The agent was sent the pod's labels and annotations, less kubectl's copy of the object.
    var stored = storage.get(newest.getStatus().getPath()).orElseThrow();
    assertThat(stored.podLabels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("app", "shop", "tier", "front", "pod-template-hash", "7d9f5c"));
    assertThat(stored.podAnnotations())
        .containsExactlyInAnyOrderEntriesOf(Map.of("team.example.com/owner", "payments"));

    try (MockCluster second = new MockCluster(storage, tmp.resolve("c"))) {
      second.node("far-node", "kind://far-node", Map.of(), true);
      second.apply(CheckpointStorage.class, SHARED_STORAGE);
      second.namespace("demo");
      second.startOperator(MockCluster.settings());
      for (String name : new String[] {"shop-older", "shop-newer", "cart-newest"}) {
        Checkpoint imported =
            await(
                () ->
                    second
                        .client
                        .resources(Checkpoint.class)
                        .inNamespace("demo")
                        .withName(name)
                        .get(),
                x -> x.getStatus() != null && x.getStatus().getPhase() == CheckpointPhase.Completed,
                TIMEOUT,
                name + " imported");
        assertThat(imported.getMetadata().getLabels()).containsEntry("stasis.dev/imported", "true");
        if (name.startsWith("shop")) {
          // The pod's labels go into an annotation, not onto the Checkpoint's own labels.
          assertThat(imported.getMetadata().getAnnotations())
              .containsEntry(
                  "stasis.dev/pod-labels",
                  "{\"app\":\"shop\",\"pod-template-hash\":\"7d9f5c\",\"tier\":\"front\"}");
          assertThat(imported.getMetadata().getLabels()).doesNotContainKey("app");
        }
      }

      Restore r =
          restore(
              second,
              "shop-latest",
              "  latestOf: {selector: {app: shop, tier: front}}\n  podName: shop\n");
      assertThat(r.getStatus().getPhase()).isNotEqualTo(RestorePhase.Failed);
      assertThat(r.getStatus().getCheckpoint()).isEqualTo("shop-newer");
      assertThat(r.getStatus().getPath()).isEqualTo(newest.getStatus().getPath());
      assertThat(r.getStatus().getNodeName()).isEqualTo("far-node");

      // The restored pod carries the original labels, so the Services of app=shop select it, but
      // not the ReplicaSet's pod-template-hash.
      Pod pod = second.client.pods().inNamespace("demo").withName("shop").get();
      assertThat(pod.getMetadata().getLabels())
          .containsEntry("app", "shop")
          .containsEntry("tier", "front")
          .containsEntry("stasis.dev/restored-from", "shop-newer")
          .containsEntry("stasis.dev/restore", "shop-latest")
          .doesNotContainKey("pod-template-hash");
      assertThat(pod.getMetadata().getAnnotations())
          .containsEntry("team.example.com/owner", "payments")
          .containsEntry("stasis.dev/checkpoint-path", newest.getStatus().getPath())
          .doesNotContainKey("kubectl.kubernetes.io/last-applied-configuration");

      Restore none =
          restore(second, "shop-none", "  latestOf: {selector: {app: shop, tier: back}}\n");
      assertThat(none.getStatus().getConditions())
          .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("NoCheckpointFound"));
    }
  }
}
