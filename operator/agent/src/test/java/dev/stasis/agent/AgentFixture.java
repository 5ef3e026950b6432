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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One agent on loopback with everything it talks to: a kubelet simulator, a mock API server
 * answering TokenReviews per token, and a gRPC client over TLS.
 *
 * <p>The mock reviews like the API server: each token is bound to audiences; a review asks for
 * {@code spec.audiences} (none: the API server's own, {@link #API_AUDIENCE}), authenticates the
 * token only if it is bound to one of them, and answers the common ones in {@code
 * status.audiences}. {@link #AUDIENCE_BLIND_TOKEN} and {@link #WRONG_AUDIENCE_TOKEN} are the
 * exceptions: reviewers that ignore the audiences asked for and answer none, or another one.
 */
final class AgentFixture implements AutoCloseable {
  static final String OPERATOR = "system:serviceaccount:stasis-system:stasis-operator";

  /** The audience the chart binds callers' tokens to (agent.tokenAudience). */
  static final String AUDIENCE = "stasis-agent";

  /** The API server's own audience: ordinary service-account tokens are bound to it. */
  static final String API_AUDIENCE = "https://kubernetes.default.svc.cluster.local";

  /** The operator's projected token for {@link #AUDIENCE}, what it sends with the chart. */
  static final String OPERATOR_TOKEN = "operator-token-7f3a";

  /** The operator's ordinary service-account token (its API-server token). */
  static final String OPERATOR_API_TOKEN = "operator-api-token-5e6f";

  /** The operator's token, reviewed by an authenticator that answers no audiences at all. */
  static final String AUDIENCE_BLIND_TOKEN = "audience-blind-token-8d9e";

  /** The operator's token, reviewed as valid for the API server's audience whatever is asked. */
  static final String WRONG_AUDIENCE_TOKEN = "wrong-audience-token-4c5d";

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

  /** The spec of every TokenReview the mock API server received, in order. */
  final List<JsonNode> reviewSpecs = new CopyOnWriteArrayList<>();

  /** The CA the client trusts for the agent's certificate; tests serving their own may set it. */
  Path clientCa;

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
    clientCa = agentPem.ca();
    Files.writeString(root.resolve("kubelet-token"), KUBELET_TOKEN);
  }

  private TokenReview review(String body) {
    JsonNode spec;
    try {
      spec = JSON.readTree(body).path("spec");
    } catch (IOException e) {
      spec = JSON.createObjectNode();
    }
    reviewSpecs.add(spec);
    String token = spec.path("token").asText();
    reviews.merge(token, 1, Integer::sum);
    List<String> asked = new ArrayList<>();
    spec.path("audiences").forEach(a -> asked.add(a.asText()));
    if (asked.isEmpty()) {
      asked.add(API_AUDIENCE);
    }
    TokenReviewBuilder b = new TokenReviewBuilder().withNewStatus().endStatus();
    return switch (token) {
      case OPERATOR_TOKEN -> bound(b, OPERATOR, List.of(AUDIENCE), asked);
      case OPERATOR_API_TOKEN -> bound(b, OPERATOR, List.of(API_AUDIENCE), asked);
      case OTHER_TOKEN ->
          bound(b, "system:serviceaccount:default:default", List.of(AUDIENCE), asked);
      case AUDIENCE_BLIND_TOKEN ->
          b.editStatus()
              .withAuthenticated(true)
              .withNewUser()
              .withUsername(OPERATOR)
              .endUser()
              .endStatus()
              .build();
      case WRONG_AUDIENCE_TOKEN ->
          b.editStatus()
              .withAuthenticated(true)
              .withNewUser()
              .withUsername(OPERATOR)
              .endUser()
              .withAudiences(API_AUDIENCE)
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

  /** A token of {@code user} bound to {@code audiences}, reviewed for {@code asked}. */
  private static TokenReview bound(
      TokenReviewBuilder b, String user, List<String> audiences, List<String> asked) {
    List<String> common = asked.stream().filter(audiences::contains).toList();
    if (common.isEmpty()) {
      return b.editStatus()
          .withAuthenticated(false)
          .withError(
              "[invalid bearer token, token audiences "
                  + audiences
                  + " is invalid for the target audiences "
                  + asked
                  + "]")
          .endStatus()
          .build();
    }
    return b.editStatus()
        .withAuthenticated(true)
        .withNewUser()
        .withUsername(user)
        .withGroups("system:serviceaccounts")
        .endUser()
        .withAudiences(common)
        .endStatus()
        .build();
  }

  /**
   * Environment for the agent, with the chart's audience binding; tests override entries before
   * {@link #start}.
   */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("NODE_NAME", "node-a");
    env.put("STASIS_AGENT_PORT", "0");
    env.put("STASIS_AGENT_TLS_CERT", agentPem.cert().toString());
    env.put("STASIS_AGENT_TLS_KEY", agentPem.key().toString());
    env.put("STASIS_KUBELET_HOST", kubelet.host());
    env.put("STASIS_KUBELET_PORT", String.valueOf(kubelet.port()));
    env.put("STASIS_CHECKPOINT_DIR", kubelet.checkpointDir().toString());
    env.put("STASIS_AGENT_TOKEN_AUDIENCE", AUDIENCE);
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
    agent = Agent.start(config, new KubernetesTokenReviewer(client), kc, store, true);
    reconnect();
    return agent;
  }

  /** A new gRPC channel to the agent (a new TLS handshake), trusting {@link #clientCa}. */
  void reconnect() throws IOException {
    if (channel != null) {
      channel.shutdownNow();
    }
    channel =
        Grpc.newChannelBuilderForAddress(
                "localhost",
                agent.port(),
                TlsChannelCredentials.newBuilder().trustManager(clientCa.toFile()).build())
            .build();
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
