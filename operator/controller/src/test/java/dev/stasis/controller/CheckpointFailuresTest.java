package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each way a Checkpoint can fail ends Failed, with a reason and a message a user can act on. */
class CheckpointFailuresTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  static MockCluster cluster;
  static InMemoryStorage storage = new InMemoryStorage();

  @BeforeAll
  static void start() {
    cluster = new MockCluster(storage, tmp);
    cluster.node("node-1", "kind://docker/kind/node-1", Map.of(), true);
    cluster.node("no-agent", "kind://docker/kind/no-agent", Map.of(), false);
    cluster.node("dead-agent", "kind://docker/kind/dead-agent", Map.of(), false);
    cluster.agentPod("dead-agent", "127.0.0.254"); // Running pod, nothing listening
    storage.makeUnreachable("s3://broken-bucket");
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: local}
        spec: {filesystem: {path: /var/lib/stasis}, default: true}
        """);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: broken}
        spec: {s3: {bucket: broken-bucket}}
        """);
    cluster.namespace("apps");
    cluster.startOperator(MockCluster.settings());
    await(
        () -> cluster.client.resources(CheckpointStorage.class).withName("broken").get(),
        s -> s.getStatus() != null && s.getStatus().getPhase() == StoragePhase.Unavailable,
        TIMEOUT,
        "broken storage checked");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static Checkpoint failed(String name, String spec) {
    cluster.apply(
        Checkpoint.class,
        "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata: {name: "
            + name
            + ", namespace: apps}\nspec:\n"
            + spec);
    return await(
        () -> cluster.client.resources(Checkpoint.class).inNamespace("apps").withName(name).get(),
        c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Failed,
        TIMEOUT,
        name + " Failed");
  }

  static Condition ready(Checkpoint c) {
    return c.getStatus().getConditions().stream()
        .filter(x -> x.getType().equals("Ready"))
        .findFirst()
        .orElseThrow();
  }

  static List<Event> events(String name) {
    return cluster.client.events().v1().events().inNamespace("apps").list().getItems().stream()
        .filter(e -> name.equals(e.getRegarding().getName()))
        .toList();
  }

  @Test
  void aMissingPodIsPodNotFound() {
    Checkpoint c = failed("no-pod", "  podName: ghost\n");
    assertThat(ready(c).getReason()).isEqualTo("PodNotFound");
    assertThat(ready(c).getStatus()).isEqualTo("False");
    assertThat(c.getStatus().getMessage()).isEqualTo("pod apps/ghost does not exist");
    assertThat(c.getStatus().getCompletionTime()).isNotNull();
    assertThat(events("no-pod"))
        .anySatisfy(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("PodNotFound");
              assertThat(e.getNote()).isEqualTo("pod apps/ghost does not exist");
            });
  }

  @Test
  void aPendingPodIsPodNotRunning() {
    cluster.pod("apps", "pending", "node-1", "Pending", Map.of(), "main");
    Checkpoint c = failed("not-running", "  podName: pending\n");
    assertThat(ready(c).getReason()).isEqualTo("PodNotRunning");
    assertThat(c.getStatus().getMessage())
        .contains("is Pending; only a Running pod can be checkpointed");
  }

  @Test
  void aNodeWithoutAgentIsNoAgentOnNode() {
    cluster.pod("apps", "stranded", "no-agent", "Running", Map.of(), "main");
    Checkpoint c = failed("no-agent", "  podName: stranded\n");
    assertThat(ready(c).getReason()).isEqualTo("NoAgentOnNode");
    assertThat(c.getStatus().getMessage()).startsWith("no running Stasis agent on node no-agent");
    assertThat(c.getStatus().getNodeName()).isEqualTo("no-agent");
  }

  @Test
  void aStorageThatDoesNotExistIsStorageNotFound() {
    cluster.pod("apps", "web-a", "node-1", "Running", Map.of(), "main");
    Checkpoint c = failed("no-storage", "  podName: web-a\n  storage: nowhere\n");
    assertThat(ready(c).getReason()).isEqualTo("StorageNotFound");
    assertThat(c.getStatus().getMessage())
        .isEqualTo("CheckpointStorage 'nowhere' named in spec.storage does not exist");
  }

  @Test
  void anUnreachableStorageIsStorageUnavailable() {
    CheckpointStorage broken =
        cluster.client.resources(CheckpointStorage.class).withName("broken").get();
    assertThat(broken.getStatus().getMessage())
        .isEqualTo("s3://broken-bucket is not reachable: connection refused (s3://broken-bucket)");
    cluster.pod("apps", "web-b", "node-1", "Running", Map.of(), "main");
    Checkpoint c = failed("broken-storage", "  podName: web-b\n  storage: broken\n");
    assertThat(ready(c).getReason()).isEqualTo("StorageUnavailable");
    assertThat(c.getStatus().getMessage())
        .startsWith(
            "CheckpointStorage 'broken' is Unavailable: s3://broken-bucket is not reachable");
  }

  @Test
  void aRuntimeWithoutCriuIsCheckpointUnsupported() {
    cluster.pod("apps", "runc-pod", "node-1", "Running", Map.of(), "main");
    cluster.agents.get("node-1").failures.put("runc-pod", "CheckpointUnsupported");
    Checkpoint c = failed("unsupported", "  podName: runc-pod\n");
    assertThat(ready(c).getReason())
        .as("%s", c.getStatus().getConditions())
        .isEqualTo("CheckpointUnsupported");
    assertThat(c.getStatus().getMessage()).contains("the container runtime cannot checkpoint");
  }

  @Test
  void anAgentThatDoesNotAnswerIsRetriedThenAgentUnreachable() {
    cluster.pod("apps", "far", "dead-agent", "Running", Map.of(), "main");
    Checkpoint c = failed("unreachable", "  podName: far\n");
    assertThat(ready(c).getReason()).isEqualTo("AgentUnreachable");
    assertThat(c.getStatus().getMessage())
        .startsWith("StartCheckpoint on agent stasis-agent-dead-agent (127.0.0.254:")
        .contains("UNAVAILABLE")
        .matches("(?s).*\\(gave up after [2-9] attempts\\)$");
  }

  @Test
  void theApiServerRefusesWhatTheSchemaForbids() {
    assertThatThrownBy(
            () ->
                cluster.apply(
                    Checkpoint.class,
                    """
        apiVersion: stasis.dev/v1alpha1
        kind: Checkpoint
        metadata: {name: both, namespace: apps}
        spec: {podName: web, storage: local, dir: s3://b/p}
        """))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("set at most one of storage and dir");
  }

  @Test
  void aSecondDefaultStorageIsUnavailableWithDuplicateDefault() {
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: zz-second-default}
        spec: {filesystem: {path: /mnt/other}, default: true}
        """);
    CheckpointStorage second =
        await(
            () ->
                cluster
                    .client
                    .resources(CheckpointStorage.class)
                    .withName("zz-second-default")
                    .get(),
            s -> s.getStatus() != null && s.getStatus().getPhase() != null,
            TIMEOUT,
            "second default checked");
    assertThat(second.getStatus().getPhase()).isEqualTo(StoragePhase.Unavailable);
    assertThat(second.getStatus().getConditions())
        .anySatisfy(
            cond -> {
              assertThat(cond.getType()).isEqualTo("Ready");
              assertThat(cond.getReason()).isEqualTo("DuplicateDefault");
            });
    assertThat(second.getStatus().getMessage()).contains("'local' is already the default");
    CheckpointStorage first =
        cluster.client.resources(CheckpointStorage.class).withName("local").get();
    assertThat(first.getStatus().getPhase()).isEqualTo(StoragePhase.Available);
  }
}
