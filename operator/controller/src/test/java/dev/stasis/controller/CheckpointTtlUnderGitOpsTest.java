package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-off Checkpoint with a ttl that Argo CD syncs: deleting it on expiry would make self-heal
 * create it again (a new checkpoint every ttl, for ever). It expires in place instead: objects
 * removed as deletionPolicy says, Expired=True reason TtlExpired, the resource left for Git.
 */
class CheckpointTtlUnderGitOpsTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  static MockCluster cluster;
  static InMemoryStorage storage = new InMemoryStorage();

  @BeforeAll
  static void start() {
    cluster = new MockCluster(storage, tmp);
    cluster.node("n1", "kind://n1", Map.of(), true);
    cluster.defaultStorage();
    cluster.namespace("gitops");
    cluster.pod("gitops", "api", "n1", "Running", Map.of(), "api");
    cluster.startOperator(MockCluster.settings());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static Checkpoint get(String name) {
    return cluster.client.resources(Checkpoint.class).inNamespace("gitops").withName(name).get();
  }

  static Checkpoint expired(String name) {
    return await(
        () -> get(name),
        c ->
            c.getStatus() != null
                && c.getStatus()
                    .condition("Expired")
                    .map(x -> "True".equals(x.getStatus()))
                    .orElse(false),
        TIMEOUT,
        name + " Expired");
  }

  static List<Event> events(String name) {
    return cluster.client.events().v1().events().inNamespace("gitops").list().getItems().stream()
        .filter(e -> name.equals(e.getRegarding().getName()))
        .toList();
  }

  @Test
  void aTrackedCheckpointExpiresInPlaceOnceAndIsDeletedOnlyFromGit() throws Exception {
    cluster.apply(
        Checkpoint.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: Checkpoint
        metadata:
          name: before-upgrade
          namespace: gitops
          annotations: {argocd.argoproj.io/tracking-id: "ckpts:stasis.dev/Checkpoint:gitops/before-upgrade"}
        spec: {podName: api, ttl: 2s, deletionPolicy: Delete}
        """);
    String path =
        await(
                () -> get("before-upgrade"),
                c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Completed,
                TIMEOUT,
                "Completed")
            .getStatus()
            .getPath();
    assertThat(storage.contains(path)).isTrue();

    Checkpoint c = expired("before-upgrade");
    Condition expiredCondition = c.getStatus().condition("Expired").orElseThrow();
    assertThat(expiredCondition.getReason()).isEqualTo("TtlExpired");
    assertThat(expiredCondition.getMessage())
        .isEqualTo(
            "ttl 2s passed since completion; its objects were removed (deletionPolicy Delete); the"
                + " Checkpoint stays because a GitOps tool tracks it (annotation"
                + " argocd.argoproj.io/tracking-id): remove it from Git to delete it");
    assertThat(c.getStatus().getPhase()).isEqualTo(CheckpointPhase.Completed);
    assertThat(storage.contains(path)).isFalse();

    Thread.sleep(3000); // another ttl: nothing more happens
    assertThat(get("before-upgrade")).isNotNull();
    assertThat(events("before-upgrade"))
        .filteredOn(e -> e.getReason().equals("TtlExpired"))
        .hasSize(1);

    // Removed from Git, Argo CD prunes it: the finalizer lets it go (nothing left to delete).
    cluster.client.resource(c).delete();
    await(() -> get("before-upgrade") == null, b -> b, TIMEOUT, "deleted");
    assertThat(events("before-upgrade"))
        .extracting(Event::getReason)
        .doesNotContain("DeleteFailed");
  }

  @Test
  void theInstanceLabelCountsAndRetainKeepsTheObjects() {
    cluster.apply(
        Checkpoint.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: Checkpoint
        metadata:
          name: kept
          namespace: gitops
          labels: {app.kubernetes.io/instance: ckpts}
        spec: {podName: api, ttl: 1s}
        """);
    Checkpoint c = expired("kept");
    assertThat(c.getStatus().condition("Expired").orElseThrow().getMessage())
        .contains("its objects are kept (deletionPolicy Retain)")
        .contains("(label app.kubernetes.io/instance)");
    assertThat(storage.contains(c.getStatus().getPath())).isTrue();
  }

  @Test
  void anUntrackedCheckpointIsStillDeletedOnExpiry() {
    cluster.apply(
        Checkpoint.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: Checkpoint
        metadata: {name: plain, namespace: gitops}
        spec: {podName: api, ttl: 1s}
        """);
    await(() -> get("plain") == null, b -> b, TIMEOUT, "plain deleted by its ttl");
  }
}
