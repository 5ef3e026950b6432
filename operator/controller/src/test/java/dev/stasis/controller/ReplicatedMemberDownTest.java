package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.controller.support.MockCluster;
import dev.stasis.storage.CheckpointReplicas;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.TransferOptions;
import dev.stasis.storage.fs.FileObjectStore;
import dev.stasis.storage.replicated.ReplicatedObjectStore;
import dev.stasis.storage.replicated.ReplicatedObjectStore.Member;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replicated CheckpointStorage with one member down (its directory cannot be written) during a
 * checkpoint by the real agent: the write quorum holds, so the Checkpoint completes, and its status
 * message and Completed Event name the member that missed it and how to repair it; once the member
 * is back, {@link CheckpointReplicas#repair} copies the checkpoint to it.
 */
class ReplicatedMemberDownTest {
  static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  private static String filesystem(String name, Path path) {
    return "apiVersion: stasis.dev/v1alpha1\nkind: CheckpointStorage\nmetadata: {name: "
        + name
        + "}\nspec: {filesystem: {path: '"
        + path
        + "'}}\n";
  }

  @Test
  void theCheckpointCompletesOnTheQuorumAndTheMemberThatMissedItIsReportedThenRepaired()
      throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("store"));
    Path second = Files.createDirectories(tmp.resolve("second"));
    Path third = tmp.resolve("third");
    Files.writeString(third, "a file where the member's directory should be: it is down");
    try (RealAgentTest.World world = new RealAgentTest.World(tmp, shared, null, Map.of())) {
      MockCluster cluster = world.cluster;
      cluster.apply(CheckpointStorage.class, filesystem("second", second));
      cluster.apply(CheckpointStorage.class, filesystem("third", third));
      cluster.apply(
          CheckpointStorage.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: CheckpointStorage
          metadata: {name: global}
          spec: {replicated: {members: [shared, second, third], writeQuorum: 2}}
          """);
      cluster.apply(
          Checkpoint.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: Checkpoint
          metadata: {name: web-1, namespace: shop}
          spec: {podName: web, storage: global}
          """);
      Checkpoint done =
          await(
              () ->
                  cluster
                      .client
                      .resources(Checkpoint.class)
                      .inNamespace("shop")
                      .withName("web-1")
                      .get(),
              c ->
                  c.getStatus() != null
                      && c.getStatus().getPhase() != null
                      && c.getStatus().getPhase().isFinal(),
              TIMEOUT,
              "web-1 final");
      assertThat(done.getStatus().getPhase().name())
          .as(done.getStatus().getMessage())
          .isEqualTo("Completed");
      String path = done.getStatus().getPath();
      assertThat(path).startsWith("stasis://global/shop/web/web-1-");
      assertThat(done.getStatus().getMessage())
          .contains("member(s) third missed it")
          .contains("'stasis verify --repair " + path + "'");
      List<Event> events =
          await(
              () ->
                  cluster
                      .client
                      .events()
                      .v1()
                      .events()
                      .inNamespace("shop")
                      .list()
                      .getItems()
                      .stream()
                      .filter(e -> "web-1".equals(e.getRegarding().getName()))
                      .filter(e -> e.getReason().equals("Completed"))
                      .toList(),
              e -> !e.isEmpty(),
              TIMEOUT,
              "the Completed event");
      assertThat(events.get(0).getNote()).contains("member(s) third missed it");

      // The member comes back; the repair copies the checkpoint to it, verified.
      Files.delete(third);
      Files.createDirectories(third);
      ReplicatedObjectStore global =
          new ReplicatedObjectStore(
              "global",
              List.of(
                  new Member("shared", new StorageLocation(new FileObjectStore(shared), "")),
                  new Member("second", new StorageLocation(new FileObjectStore(second), "")),
                  new Member("third", new StorageLocation(new FileObjectStore(third), ""))),
              2);
      try (CheckpointRepository repo =
          new CheckpointRepository(new StorageLocation(global, ""), TransferOptions.defaults())) {
        CheckpointReplicas replicas = new CheckpointReplicas(repo);
        assertThat(replicas.check(URI.create(path)))
            .extracting(CheckpointReplicas.MemberCopy::describe)
            .containsExactly(
                "shared: whole", "second: whole", "third: lacks web.tar.zst, manifest.json");
        assertThat(replicas.repair(URI.create(path)))
            .allMatch(CheckpointReplicas.MemberCopy::whole);
      }
      try (CheckpointRepository onlyThird =
          new CheckpointRepository(
              new StorageLocation(new FileObjectStore(third), ""), TransferOptions.defaults())) {
        assertThat(onlyThird.list("shop")).hasSize(1);
        assertThat(onlyThird.verify(onlyThird.list("shop").get(0).uri(), null))
            .singleElement()
            .satisfies(
                r ->
                    assertThat(r.sha256())
                        .isEqualTo(done.getStatus().getContainers().get(0).getSha256()));
      }
    }
  }
}
