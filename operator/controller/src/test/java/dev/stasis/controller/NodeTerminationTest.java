package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checkpoints before a node goes away: each termination signal on a node leads to a Checkpoint of
 * each pod on it that opted in (by annotation or through a CheckpointSchedule with
 * onNodeTermination), and of no other; restoreOnTermination restores them on another node.
 */
class NodeTerminationTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String NS = "shop";
  @TempDir static Path tmp;
  static final InMemoryStorage storage = new InMemoryStorage();
  static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster(storage, tmp);
    cluster.node("spare", "kind://spare", Map.of(), true);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: local}
        spec: {filesystem: {path: /data}, default: true}
        """);
    cluster.namespace(NS);
    cluster.apply(
        CheckpointSchedule.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointSchedule
        metadata: {name: batch, namespace: shop}
        spec:
          schedule: "0 0 1 1 *"
          selector: {app: batch}
          onNodeTermination: true
          template: {compression: lz4, deletionPolicy: Retain}
        """);
    cluster.startOperator(MockCluster.settings());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Three pods on a node: one annotated, one a schedule targets, one that did not opt in. */
  static void podsOn(String node) {
    cluster.pod(NS, "annotated-" + node, node, "Running", Map.of("app", "web"), "main");
    annotate("annotated-" + node, Map.of("stasis.dev/checkpoint-on-termination", "true"));
    cluster.pod(NS, "scheduled-" + node, node, "Running", Map.of("app", "batch"), "main");
    cluster.pod(NS, "plain-" + node, node, "Running", Map.of("app", "web"), "main");
  }

  static void annotate(String pod, Map<String, String> annotations) {
    cluster
        .client
        .pods()
        .inNamespace(NS)
        .withName(pod)
        .edit(
            p -> {
              p.getMetadata().setAnnotations(annotations);
              return p;
            });
  }

  /** What sets each signal: a cordon, or a taint (as AWS NTH and GKE set them). */
  static void signal(String node, String taint) {
    cluster
        .client
        .nodes()
        .withName(node)
        .edit(
            n -> {
              if (taint.equals("node.kubernetes.io/unschedulable")) {
                n.getSpec().setUnschedulable(true);
              }
              n.getSpec()
                  .getTaints()
                  .add(new TaintBuilder().withKey(taint).withEffect("NoSchedule").build());
              return n;
            });
  }

  static List<Checkpoint> checkpointsOf(String node) {
    return cluster
        .client
        .resources(Checkpoint.class)
        .inNamespace(NS)
        .withLabel("stasis.dev/node", node)
        .list()
        .getItems();
  }

  static Checkpoint get(String name) {
    return cluster.client.resources(Checkpoint.class).inNamespace(NS).withName(name).get();
  }

  static Checkpoint completed(String name) {
    return await(
        () -> get(name),
        c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Completed,
        TIMEOUT,
        name + " Completed");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "drain, node.kubernetes.io/unschedulable, 300",
    "spot, aws-node-termination-handler/spot-itn, 100",
    "rebalance, aws-node-termination-handler/rebalance-recommendation, 100",
    "maintenance, aws-node-termination-handler/scheduled-maintenance, 300",
    "asg, aws-node-termination-handler/asg-lifecycle-termination, 100",
    "gke, cloud.google.com/impending-node-termination, 25"
  })
  void eachSignalCheckpointsTheOptedInPodsOfItsNodeOnly(
      String shortName, String taint, long deadline) {
    String node = "leaving-" + shortName;
    cluster.node(node, "kind://" + node, Map.of(), true);
    podsOn(node);
    assertThat(checkpointsOf(node)).as("nothing before the signal").isEmpty();

    signal(node, taint);
    await(
        () -> checkpointsOf(node),
        l -> l.size() >= 2,
        TIMEOUT,
        "the checkpoints of the pods on " + node);

    List<Checkpoint> taken = checkpointsOf(node);
    assertThat(taken)
        .extracting(c -> c.getSpec().getPodName())
        .containsExactlyInAnyOrder("annotated-" + node, "scheduled-" + node);
    for (Checkpoint c : taken) {
      String pod = c.getSpec().getPodName();
      assertThat(c.getMetadata().getName()).matches(pod + "-" + shortName + "-[a-z0-9]{5}");
      assertThat(c.getMetadata().getLabels())
          .containsEntry("stasis.dev/reason", "node-termination")
          .containsEntry("stasis.dev/node", node);
      assertThat(c.getMetadata().getAnnotations())
          .containsEntry("stasis.dev/termination-signal", taint)
          .doesNotContainKey("stasis.dev/restore-on-termination");
      assertThat(c.getSpec().getActiveDeadlineSeconds()).isEqualTo(deadline);
      Checkpoint done = completed(c.getMetadata().getName());
      assertThat(done.getStatus().getNodeName()).isEqualTo(node);
      assertThat(storage.contains(done.getStatus().getPath())).isTrue();
    }
    Checkpoint bySchedule =
        taken.stream()
            .filter(c -> c.getSpec().getPodName().startsWith("scheduled-"))
            .findFirst()
            .orElseThrow();
    assertThat(bySchedule.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("CheckpointSchedule");
              assertThat(o.getName()).isEqualTo("batch");
            });
    assertThat(bySchedule.getSpec().getCompression().toString()).isEqualToIgnoringCase("lz4");
    Checkpoint byAnnotation =
        taken.stream()
            .filter(c -> c.getSpec().getPodName().startsWith("annotated-"))
            .findFirst()
            .orElseThrow();
    assertThat(byAnnotation.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(events(byAnnotation.getMetadata().getName()))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("NodeTermination");
              assertThat(e.getNote())
                  .isEqualTo(
                      "node "
                          + node
                          + " is going away ("
                          + taint
                          + "): checkpointing pod annotated-"
                          + node
                          + " within "
                          + deadline
                          + "s (annotation stasis.dev/checkpoint-on-termination)");
            });

    // Seeing the node again (another update, another signal) never makes a second checkpoint.
    signal(node, "aws-node-termination-handler/spot-itn");
    cluster
        .client
        .nodes()
        .withName(node)
        .edit(
            n -> {
              n.getMetadata().getLabels().put("touched", "again");
              return n;
            });
    settle();
    assertThat(checkpointsOf(node)).hasSize(2);
    assertThat(restores())
        .noneMatch(r -> node.equals(r.getMetadata().getLabels().get("stasis.dev/node")));
  }

  @Test
  void restoreOnTerminationRestoresTheCheckpointOnAnotherNode() {
    String node = "spot-restore";
    cluster.node(node, "kind://" + node, Map.of(), true);
    cluster.pod(NS, "worker", node, "Running", Map.of("app", "worker"), "main");
    annotate(
        "worker",
        Map.of(
            "stasis.dev/checkpoint-on-termination", "true",
            "stasis.dev/restore-on-termination", "true"));
    signal(node, "aws-node-termination-handler/spot-itn");

    Checkpoint taken =
        await(() -> checkpointsOf(node), l -> l.size() == 1, TIMEOUT, "a checkpoint").get(0);
    String name = taken.getMetadata().getName();
    assertThat(taken.getMetadata().getAnnotations())
        .containsEntry("stasis.dev/restore-on-termination", "true");
    Restore restore =
        await(
            () -> cluster.client.resources(Restore.class).inNamespace(NS).withName(name).get(),
            r -> true,
            TIMEOUT,
            "the Restore " + name);
    assertThat(restore.getSpec().getCheckpointName()).isEqualTo(name);
    assertThat(restore.getSpec().getPodName()).isEqualTo(name);
    // Not the leaving node, nor another one with a signal (the other tests' nodes): the spare.
    assertThat(restore.getSpec().getNodeName()).isEqualTo("spare");
    assertThat(restore.getMetadata().getLabels())
        .containsEntry("stasis.dev/reason", "node-termination")
        .containsEntry("stasis.dev/node", node);
    assertThat(restore.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(get(name).getStatus().getPhase()).isEqualTo(CheckpointPhase.Completed);

    Checkpoint withCondition =
        await(
            () -> get(name),
            c -> c.getStatus().condition("TerminationRestore").isPresent(),
            TIMEOUT,
            "the TerminationRestore condition");
    Condition condition = withCondition.getStatus().condition("TerminationRestore").orElseThrow();
    assertThat(condition.getStatus()).isEqualTo("True");
    assertThat(condition.getReason()).isEqualTo("RestoreCreated");
    assertThat(condition.getMessage())
        .isEqualTo("Restore " + name + " restores this checkpoint on node spare");
    // The restore runs: the agent of the spare node restores it and the restored pod is created.
    await(
        () -> cluster.client.pods().inNamespace(NS).withName(name).get(),
        p -> "spare".equals(p.getSpec().getNodeName()),
        TIMEOUT,
        "the restored pod " + name + " on node spare");
  }

  @Test
  void withNoOtherNodeTheCheckpointSaysSo() throws Exception {
    InMemoryStorage own = new InMemoryStorage();
    try (MockCluster solo = new MockCluster(own, tmp.resolve("solo"))) {
      solo.node("only", "kind://only", Map.of(), true);
      solo.apply(
          CheckpointStorage.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: CheckpointStorage
          metadata: {name: local}
          spec: {filesystem: {path: /data}, default: true}
          """);
      solo.namespace(NS);
      solo.pod(NS, "lonely", "only", "Running", Map.of(), "main");
      solo.client
          .pods()
          .inNamespace(NS)
          .withName("lonely")
          .edit(
              p -> {
                p.getMetadata()
                    .setAnnotations(
                        Map.of(
                            "stasis.dev/checkpoint-on-termination", "true",
                            "stasis.dev/restore-on-termination", "true"));
                return p;
              });
      solo.startOperator(MockCluster.settings());
      solo.client
          .nodes()
          .withName("only")
          .edit(
              n -> {
                n.getSpec()
                    .getTaints()
                    .add(
                        new TaintBuilder()
                            .withKey("cloud.google.com/impending-node-termination")
                            .withEffect("NoSchedule")
                            .build());
                return n;
              });
      Checkpoint c =
          await(
              () ->
                  solo.client.resources(Checkpoint.class).inNamespace(NS).list().getItems().stream()
                      .filter(x -> x.getStatus() != null)
                      .filter(x -> x.getStatus().condition("TerminationRestore").isPresent())
                      .findFirst()
                      .orElse(null),
              x -> true,
              TIMEOUT,
              "the TerminationRestore condition");
      assertThat(c.getStatus().getPhase()).isEqualTo(CheckpointPhase.Completed);
      Condition condition = c.getStatus().condition("TerminationRestore").orElseThrow();
      assertThat(condition.getStatus()).isEqualTo("False");
      assertThat(condition.getReason()).isEqualTo("NoNodeToRestoreOn");
      assertThat(solo.client.resources(Restore.class).inNamespace(NS).list().getItems()).isEmpty();
      Optional<Event> warning =
          solo.client.events().v1().events().inNamespace(NS).list().getItems().stream()
              .filter(e -> c.getMetadata().getName().equals(e.getRegarding().getName()))
              .filter(e -> "NoNodeToRestoreOn".equals(e.getReason()))
              .findFirst();
      assertThat(warning).hasValueSatisfying(e -> assertThat(e.getType()).isEqualTo("Warning"));
    }
  }

  /** Gives the operator the time to react to a change that must not lead anywhere. */
  static void settle() {
    try {
      Thread.sleep(1500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static List<Restore> restores() {
    return cluster.client.resources(Restore.class).inNamespace(NS).list().getItems();
  }

  static List<Event> events(String name) {
    return cluster.client.events().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getRegarding().getName()))
        .toList();
  }
}
