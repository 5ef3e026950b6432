package dev.stasis.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.agent.api.AgentAuth;
import dev.stasis.agent.auth.KubernetesTokenReviewer;
import dev.stasis.agent.kubelet.KubeletClient;
import dev.stasis.agent.store.EngineCheckpointStore;
import dev.stasis.agent.store.StorageLocations;
import dev.stasis.agent.v1.AgentGrpc;
import dev.stasis.agent.v1.ContainerRef;
import dev.stasis.agent.v1.GetJobRequest;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.StartCheckpointRequest;
import dev.stasis.storage.TransferOptions;
import dev.stasis.storage.s3.S3Settings;
import dev.stasis.testsupport.kubelet.KubeletSimulator;
import dev.stasis.testsupport.kubelet.TestTls;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One agent on loopback with everything it talks to: a kubelet simulator, a mock API server
 * answering TokenReviews per token, and a gRPC client over TLS.
 */
final class AgentFixture implements AutoCloseable {
  static final String OPERATOR = "system:serviceaccount:stasis-system:stasis-operator";
  static final String OPERATOR_TOKEN = "operator-token-7f3a";
  static final String OTHER_TOKEN = "other-token-11aa";
  static final String EXPIRED_TOKEN = "expired-token-22bb";
  static final String KUBELET_TOKEN = "agent-token-for-kubelet-33cc";
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path root;
  final KubeletSimulator kubelet;
  final KubernetesMockServer apiServer;
  final KubernetesClient client;
  final TestTls agentTls;
  final TestTls.PemFiles agentPem;
  final Map<String, Integer> reviews = new ConcurrentHashMap<>();

  /** S3 tuning (part size, retry attempts) of the agent's stores; tests may set it before start. */
  S3Settings s3Tuning = new S3Settings();

  Agent agent;
  AgentConfig config;
  ManagedChannel channel;

  AgentFixture(Path root) throws IOException {
    this.root = root;
    kubelet = KubeletSimulator.start(root.resolve("kubelet-checkpoints"), KUBELET_TOKEN);
    kubelet.addPod("shop", "web", Map.of("app", "nginx:1.27", "sidecar", "busybox:1.36"));
    apiServer = new KubernetesMockServer(false);
    apiServer.init();
    apiServer
        .expect()
        .post()
        .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
        .andReply(200, req -> review(req.getUtf8Body()))
        .always();
    client = apiServer.createClient();
    agentTls = TestTls.generate("stasis-agent");
    agentPem = agentTls.written(root.resolve("agent-tls"));
    Files.writeString(root.resolve("kubelet-token"), KUBELET_TOKEN);
  }

  private TokenReview review(String body) {
    String token;
    try {
      token = JSON.readTree(body).path("spec").path("token").asText();
    } catch (IOException e) {
      token = "";
    }
    reviews.merge(token, 1, Integer::sum);
    TokenReviewBuilder b = new TokenReviewBuilder().withNewStatus().endStatus();
    return switch (token) {
      case OPERATOR_TOKEN ->
          b.editStatus()
              .withAuthenticated(true)
              .withNewUser()
              .withUsername(OPERATOR)
              .withGroups("system:serviceaccounts")
              .endUser()
              .endStatus()
              .build();
      case OTHER_TOKEN ->
          b.editStatus()
              .withAuthenticated(true)
              .withNewUser()
              .withUsername("system:serviceaccount:default:default")
              .endUser()
              .endStatus()
              .build();
      case EXPIRED_TOKEN ->
          b.editStatus()
              .withAuthenticated(false)
              .withError("[invalid bearer token, service account token has expired]")
              .endStatus()
              .build();
      default ->
          b.editStatus()
              .withAuthenticated(false)
              .withError("invalid bearer token")
              .endStatus()
              .build();
    };
  }

  /** Environment for the agent; tests override entries before {@link #start}. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("NODE_NAME", "node-a");
    env.put("STASIS_AGENT_PORT", "0");
    env.put("STASIS_AGENT_TLS_CERT", agentPem.cert().toString());
    env.put("STASIS_AGENT_TLS_KEY", agentPem.key().toString());
    env.put("STASIS_KUBELET_HOST", kubelet.host());
    env.put("STASIS_KUBELET_PORT", String.valueOf(kubelet.port()));
    env.put("STASIS_CHECKPOINT_DIR", kubelet.checkpointDir().toString());
    env.put("STASIS_ALLOWED_CALLERS", OPERATOR);
    env.put("STASIS_JOURNAL_DIR", root.resolve("journal").toString());
    env.put("STASIS_WORK_DIR", root.resolve("work").toString());
    env.put("STASIS_METRICS_PORT", "0");
    return env;
  }

  Agent start(Map<String, String> env) throws IOException {
    config = AgentConfig.fromEnv(env);
    Path ca = root.resolve("kubelet-ca.crt");
    Files.writeString(ca, kubelet.tls().caPem());
    KubeletClient kc =
        new KubeletClient(
            config.kubeletHost(),
            config.kubeletPort(),
            Tls.trusting(ca),
            KubeletClient.tokenFile(root.resolve("kubelet-token")),
            config.checkpointDir(),
            Duration.ofSeconds(2));
    EngineCheckpointStore store =
        new EngineCheckpointStore(
            new StorageLocations(Map.of(), s3Tuning),
            TransferOptions.defaults().withPartSize(256 * 1024).withFrameSize(256 * 1024));
    agent = Agent.start(config, new KubernetesTokenReviewer(client, List.of()), kc, store, true);
    if (channel != null) {
      channel.shutdownNow();
    }
    channel =
        Grpc.newChannelBuilderForAddress(
                "localhost",
                agent.port(),
                TlsChannelCredentials.newBuilder().trustManager(agentPem.ca().toFile()).build())
            .build();
    return agent;
  }

  Agent start() throws IOException {
    return start(env());
  }

  AgentGrpc.AgentBlockingStub stub(String token) {
    AgentGrpc.AgentBlockingStub s = AgentGrpc.newBlockingStub(channel);
    return token == null ? s : s.withCallCredentials(AgentAuth.bearerCredentials(() -> token));
  }

  AgentGrpc.AgentBlockingStub operator() {
    return stub(OPERATOR_TOKEN).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  static StartCheckpointRequest.Builder checkpoint(String uid, String destination) {
    return StartCheckpointRequest.newBuilder()
        .setJobId(uid)
        .setNamespace("shop")
        .setPodName("web")
        .setPodUid("5b1d0e6c-0000-4000-8000-000000000001")
        .setCheckpointName("nightly")
        .addContainers(ContainerRef.newBuilder().setName("app").setImage("nginx:1.27"))
        .addContainers(ContainerRef.newBuilder().setName("sidecar").setImage("busybox:1.36"))
        .setDestinationUri(destination)
        .setCompression(dev.stasis.agent.v1.Compression.COMPRESSION_ZSTD)
        .setPodSpecJson(
            "{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.27\"},"
                + "{\"name\":\"sidecar\",\"image\":\"busybox:1.36\"}]}")
        .setKubeletTimeoutSeconds(30);
  }

  Job await(String id, Predicate<Job> condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Job j = null;
    while (System.nanoTime() < deadline) {
      j = operator().getJob(GetJobRequest.newBuilder().setJobId(id).build());
      if (condition.test(j)) {
        return j;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("job " + id + " did not get there in " + timeout + ": " + j);
  }

  Job awaitDone(String id) throws InterruptedException {
    return await(id, j -> terminal(j.getState()), Duration.ofSeconds(60));
  }

  static boolean terminal(JobState s) {
    return Set.of(
            JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED)
        .contains(s);
  }

  static JsonNode json(Path p) throws IOException {
    return JSON.readTree(p.toFile());
  }

  void stopAgent() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
    if (agent != null) {
      agent.close();
      agent = null;
    }
  }

  @Override
  public void close() {
    stopAgent();
    kubelet.close();
    client.close();
    apiServer.destroy();
  }

  static void assertNoFiles(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      assertThat(s.filter(Files::isRegularFile).toList()).isEmpty();
    }
  }
}
