package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stasis.agent.Agent;
import dev.stasis.agent.AgentConfig;
import dev.stasis.agent.Tls;
import dev.stasis.agent.auth.TokenReviewer;
import dev.stasis.agent.kubelet.KubeletClient;
import dev.stasis.agent.store.EngineCheckpointStore;
import dev.stasis.agent.store.StorageLocations;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.controller.agent.GrpcAgentClient;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StorageModuleCatalog;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import dev.stasis.storage.TransferOptions;
import dev.stasis.storage.s3.S3Settings;
import dev.stasis.testsupport.kubelet.KubeletSimulator;
import dev.stasis.testsupport.kubelet.TestTls;
import dev.stasis.testsupport.registry.RegistryServer;
import io.grpc.TlsChannelCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator with the real node agent (in process: gRPC over TLS, token review, job runner,
 * kubelet client against the kubelet simulator) and the real storage module on a file:// storage.
 */
class RealAgentTest {
  static final String OPERATOR = "system:serviceaccount:stasis-system:stasis-operator";
  static final String OPERATOR_TOKEN = "operator-token-for-the-agent";
  static final String KUBELET_TOKEN = "agent-token-for-the-kubelet";
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  /** Reviews like the API server: only the operator's token, bound to the agents' audience. */
  static final TokenReviewer REVIEWER =
      (token, audience) ->
          OPERATOR_TOKEN.equals(token)
              ? new TokenReviewer.Review(
                  true, OPERATOR, List.of("system:serviceaccounts"), List.of(audience), null)
              : new TokenReviewer.Review(false, null, List.of(), List.of(), "invalid bearer token");

  @Test
  void aCheckpointIsTakenByTheRealAgentStoredByTheStorageModuleImportedElsewhereAndDeleted()
      throws Exception {
    Path storageDir = Files.createDirectories(tmp.resolve("store"));
    try (World world = new World(tmp, storageDir, null)) {
      MockCluster cluster = world.cluster;
      StorageModuleCatalog catalog = new StorageModuleCatalog();
      cluster.apply(
          Checkpoint.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: Checkpoint
          metadata: {name: web-1, namespace: shop}
          spec: {podName: web, deletionPolicy: Delete}
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
      assertThat(done.getStatus().getPhase())
          .as(done.getStatus().getMessage())
          .isEqualTo(CheckpointPhase.Completed);
      assertThat(done.getStatus().getPath())
          .startsWith("file://" + storageDir + "/shop/web/web-1-");
      assertThat(world.kubelet.requestCount()).as("kubelet checkpoint calls").isEqualTo(1);
      var container = done.getStatus().getContainers().get(0);
      assertThat(container.getName()).isEqualTo("web");
      assertThat(Files.size(Path.of(java.net.URI.create(container.getObject()))))
          .isEqualTo(container.getStoredBytes());

      // What the storage module reads back is what the status says.
      StorageLocation location =
          new dev.stasis.controller.storage.StorageResolver(cluster.client, MockCluster.SYSTEM)
              .resolve(cluster.client.resources(CheckpointStorage.class).withName("shared").get());
      var stored = catalog.read(location, done.getStatus().getPath()).orElseThrow();
      assertThat(stored.containers().get(0).sha256()).isEqualTo(container.getSha256());
      assertThat(stored.checkpointUid()).isEqualTo(done.getMetadata().getUid());

      // A second cluster reading the same storage sees it as an imported, Completed Checkpoint.
      try (MockCluster second = new MockCluster(new InMemoryStorage(), tmp.resolve("second"))) {
        second.apply(
            CheckpointStorage.class,
            "apiVersion: stasis.dev/v1alpha1\nkind: CheckpointStorage\n"
                + "metadata: {name: shared}\nspec: {filesystem: {path: '"
                + storageDir
                + "'}, default: true}\n");
        second.namespace("shop");
        StasisOperator other =
            new StasisOperator(
                second.client,
                MockCluster.settings(),
                Clock.systemUTC(),
                world.agents,
                catalog,
                new SimpleMeterRegistry(),
                "second",
                false);
        other.start();
        try {
          Checkpoint imported =
              await(
                  () ->
                      second
                          .client
                          .resources(Checkpoint.class)
                          .inNamespace("shop")
                          .withName("web-1")
                          .get(),
                  c ->
                      c.getStatus() != null
                          && c.getStatus().getPhase() == CheckpointPhase.Completed,
                  TIMEOUT,
                  "imported");
          assertThat(imported.getMetadata().getLabels())
              .containsEntry("stasis.dev/imported", "true");
          assertThat(imported.getStatus().getSize()).isEqualTo(stored.storedBytes());
        } finally {
          other.close();
        }
      }

      // deletionPolicy Delete removes the checkpoint from the storage.
      cluster.client.resources(Checkpoint.class).inNamespace("shop").withName("web-1").delete();
      await(
          () ->
              cluster.client.resources(Checkpoint.class).inNamespace("shop").withName("web-1").get()
                  == null,
          b -> b,
          TIMEOUT,
          "web-1 deleted");
      assertThat(catalog.read(location, done.getStatus().getPath())).isEmpty();
    }
  }

  /** A one-node cluster with the real agent on it, and an operator. */
  static final class World implements AutoCloseable {
    final KubeletSimulator kubelet;
    final Agent agent;
    final MockCluster cluster;
    final GrpcAgentClient agents;
    final OperatorSettings settings;
    StasisOperator operator;

    World(Path tmp, Path storageDir, RegistryServer registry) throws Exception {
      this(tmp, storageDir, registry, Map.of());
    }

    /** {@code agentEnv}: more of the agent's environment (a bandwidth limit, say). */
    World(Path tmp, Path storageDir, RegistryServer registry, Map<String, String> agentEnv)
        throws Exception {
      kubelet = KubeletSimulator.start(tmp.resolve("kubelet"), KUBELET_TOKEN);
      kubelet.addPod("shop", "web", Map.of("web", "docker.io/library/busybox:1.36"));
      TestTls.PemFiles pem = TestTls.generate("stasis-agent").written(tmp.resolve("agent-tls"));
      Path kubeletCa = Files.writeString(tmp.resolve("kubelet-ca.crt"), kubelet.tls().caPem());
      Path kubeletToken = Files.writeString(tmp.resolve("kubelet-token"), KUBELET_TOKEN);
      Map<String, String> env = new HashMap<>();
      env.put("NODE_NAME", "node-a");
      env.put("STASIS_AGENT_PORT", "0");
      env.put("STASIS_AGENT_TLS_CERT", pem.cert().toString());
      env.put("STASIS_AGENT_TLS_KEY", pem.key().toString());
      env.put("STASIS_KUBELET_HOST", kubelet.host());
      env.put("STASIS_KUBELET_PORT", String.valueOf(kubelet.port()));
      env.put("STASIS_CHECKPOINT_DIR", kubelet.checkpointDir().toString());
      env.put("STASIS_AGENT_TOKEN_AUDIENCE", "stasis-agent");
      env.put("STASIS_ALLOWED_CALLERS", OPERATOR);
      env.put("STASIS_JOURNAL_DIR", tmp.resolve("journal").toString());
      env.put("STASIS_WORK_DIR", tmp.resolve("work").toString());
      env.putAll(agentEnv);
      AgentConfig config = AgentConfig.fromEnv(env);
      KubeletClient kc =
          new KubeletClient(
              config.kubeletHost(),
              config.kubeletPort(),
              Tls.trusting(kubeletCa),
              KubeletClient.tokenFile(kubeletToken),
              config.checkpointDir(),
              Duration.ofSeconds(5));
      agent =
          Agent.start(
              config,
              REVIEWER,
              kc,
              new EngineCheckpointStore(
                  new StorageLocations(Map.of(), new S3Settings()), TransferOptions.defaults()),
              false);
      cluster = new MockCluster(new InMemoryStorage(), tmp.resolve("cluster"));
      agents =
          new GrpcAgentClient(
              TlsChannelCredentials.newBuilder().trustManager(pem.ca().toFile()).build(),
              () -> OPERATOR_TOKEN,
              "localhost",
              Duration.ofSeconds(10));
      cluster.node("node-a", "kind://node-a", Map.of(), false);
      cluster.agentPod("node-a", "127.0.0.1");
      cluster.apply(
          CheckpointStorage.class,
          "apiVersion: stasis.dev/v1alpha1\nkind: CheckpointStorage\nmetadata: {name: shared}\n"
              + "spec: {filesystem: {path: '"
              + storageDir
              + "'}, default: true}\n");
      cluster.namespace("shop");
      cluster.pod("shop", "web", "node-a", "Running", Map.of("app", "web"), "web");
      OperatorSettings settings = MockCluster.settings().withAgentPort(agent.port());
      if (registry != null) {
        settings = settings.withRegistry(registry.hostPort(), "stasis/restore", true);
      }
      this.settings = settings;
      operator = startOperator();
    }

    private StasisOperator startOperator() {
      StasisOperator o =
          new StasisOperator(
              cluster.client,
              settings,
              Clock.systemUTC(),
              agents,
              new StorageModuleCatalog(),
              new SimpleMeterRegistry(),
              "real-agent-test",
              false);
      o.start();
      return o;
    }

    /** Stops the operator (its pod is gone). */
    void stopOperator() {
      operator.close();
      operator = null;
    }

    /** Stops the operator and starts a new instance, as a restarted operator pod would. */
    void restartOperator() {
      if (operator != null) {
        stopOperator();
      }
      operator = startOperator();
    }

    @Override
    public void close() throws Exception {
      if (operator != null) {
        operator.close();
      }
      agents.close();
      cluster.close();
      agent.close();
      kubelet.close();
    }
  }

  @Test
  void aCheckpointTakenByTheRealAgentRestoresAsAPodWithTheImagePushedToARealRegistry()
      throws Exception {
    assumeTrue(RegistryServer.available(), RegistryServer.unavailableReason());
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"));
        World world = new World(tmp, Files.createDirectories(tmp.resolve("store")), registry)) {
      MockCluster cluster = world.cluster;
      cluster.apply(
          Checkpoint.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: Checkpoint
          metadata: {name: web-1, namespace: shop}
          spec: {podName: web}
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
              "final");
      assertThat(done.getStatus().getPhase())
          .as(done.getStatus().getMessage())
          .isEqualTo(CheckpointPhase.Completed);

      cluster.apply(
          Restore.class,
          """
          apiVersion: stasis.dev/v1alpha1
          kind: Restore
          metadata: {name: web-back, namespace: shop}
          spec: {checkpointName: web-1}
          """);
      Restore r =
          await(
              () ->
                  cluster
                      .client
                      .resources(Restore.class)
                      .inNamespace("shop")
                      .withName("web-back")
                      .get(),
              x ->
                  x.getStatus() != null
                      && (x.getStatus().getRestoredPod() != null
                          || x.getStatus().getPhase() == RestorePhase.Failed),
              TIMEOUT,
              "restored pod");
      assertThat(r.getStatus().getPhase())
          .as(r.getStatus().getMessage())
          .isEqualTo(RestorePhase.Restoring);
      String tag = done.getMetadata().getUid() + "-web";
      assertThat(r.getStatus().getImages())
          .singleElement()
          .satisfies(
              i -> {
                assertThat(i.getImage()).isEqualTo(registry.hostPort() + "/stasis/restore:" + tag);
                assertThat(i.getDigest()).startsWith("sha256:");
              });
      var pod =
          cluster.client.pods().inNamespace("shop").withName(r.getStatus().getRestoredPod()).get();
      assertThat(pod.getSpec().getContainers().get(0).getImage())
          .isEqualTo(
              registry.hostPort()
                  + "/stasis/restore:"
                  + tag
                  + "@"
                  + r.getStatus().getImages().get(0).getDigest());
      var manifest =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              registry.url() + "/v2/stasis/restore/manifests/" + tag))
                      .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(manifest.statusCode()).isEqualTo(200);
      assertThat(manifest.body()).contains("checkpoint.name");

      cluster.markRunning("shop", r.getStatus().getRestoredPod());
      await(
          () ->
              cluster
                  .client
                  .resources(Restore.class)
                  .inNamespace("shop")
                  .withName("web-back")
                  .get(),
          x -> x.getStatus().getPhase() == RestorePhase.Running,
          TIMEOUT,
          "Running");
    }
  }
}
