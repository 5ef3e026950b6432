package dev.stasis.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.controller.Main;
import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.agent.GrpcAgentClient;
import dev.stasis.controller.storage.StorageModuleCatalog;
import dev.stasis.testsupport.kube.ClusterCa;
import dev.stasis.testsupport.kube.ClusterObjects;
import dev.stasis.testsupport.kube.FakeKubelets;
import dev.stasis.testsupport.kube.StasisApiServer;
import dev.stasis.testsupport.kube.TokenReviews;
import dev.stasis.testsupport.kubelet.KubeletSimulator;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole Stasis installation in the test JVM, as the Helm chart lays it out on a cluster:
 *
 * <ul>
 *   <li>the API server: fabric8's mock server in CRUD mode with the CRDs of {@code crds/},
 *       admitting stasis.dev resources like the real one ({@link StasisApiServer}) and reviewing
 *       tokens ({@link TokenReviews});
 *   <li>nodes labelled as EKS, GKE or plain nodes, whose pods a {@link FakeKubelets} schedules and
 *       runs;
 *   <li>on each node an agent ({@link NodeAgent}: the real agent, its own kubelet simulator, its
 *       pod IP a loopback address of its own), with the TLS certificate the chart makes;
 *   <li>the operator, started as its main does ({@link Main#start}) with the gRPC client built from
 *       files ({@link GrpcAgentClient#fromFiles}: the agents' CA and the operator's projected
 *       token, bound to the agents' audience) and the storage-module catalog; only the intervals
 *       are the short ones of {@link OperatorSettings#forTests}.
 * </ul>
 *
 * Storage is the JVM's {@link Backends}: two clusters built here share it, as two real clusters
 * share buckets.
 */
final class InJvmCluster implements AutoCloseable {
  static final String SYSTEM = "stasis-system";
  static final String OPERATOR_USER = "system:serviceaccount:stasis-system:stasis-operator";
  static final String AGENT_AUDIENCE = "stasis-agent";
  static final String AGENT_SERVER_NAME = "stasis-agent.stasis-system.svc";

  /** Loopback addresses for agent pods, unique in the JVM (127.0.0.1 is left to the servers). */
  private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(2);

  /** The kinds of nodes, as the operator tells them apart (providerID and labels). */
  enum Cloud {
    EKS,
    GKE,
    PLAIN
  }

  final String name;
  final Path dir;
  final Backends backends;

  /** The in-JVM API server and its token reviews; null on a real API server. */
  final TokenReviews tokens;

  final StasisApiServer api;

  /** The real API server, or null in the JVM. */
  private final RealApiServer realApi;

  final KubernetesClient client;
  final Kubectl kubectl;
  final FakeKubelets kubelets;
  final ClusterCa ca = new ClusterCa();
  final int agentPort;
  final Map<String, NodeAgent> agents = new LinkedHashMap<>();
  private String operatorToken;

  /** The operator's ordinary service-account token: valid for the API server, not for agents. */
  String operatorApiToken;

  /** The CA the agents' certificates chain to, as mounted into the operator. */
  final Path agentCaFile;

  private final ClusterCa.Issued agentTls;
  private Main.Running operator;

  /** An installation on the in-JVM API server ({@link StasisApiServer}). */
  InJvmCluster(String name, Path dir) {
    this(name, dir, null);
  }

  /**
   * An installation on a real API server (whose CRDs the caller installed), or, with {@code
   * realApi} null, on the in-JVM one. On a real server the operator's tokens come from the
   * TokenRequest API and are reviewed by the server itself.
   */
  InJvmCluster(String name, Path dir, RealApiServer realApi) {
    this.name = name;
    this.dir = dir;
    this.backends = Backends.shared();
    this.realApi = realApi;
    if (realApi == null) {
      // The operator's projected token (audience stasis-agent, what the chart mounts and the
      // agents ask for) and its ordinary service-account token (the API server's audience).
      tokens = new TokenReviews();
      operatorToken = "operator-projected-token-" + UUID.randomUUID();
      operatorApiToken = "operator-api-token-" + UUID.randomUUID();
      tokens.bind(operatorToken, OPERATOR_USER, AGENT_AUDIENCE);
      tokens.bind(operatorApiToken, OPERATOR_USER, TokenReviews.API_SERVER_AUDIENCE);
      api = new StasisApiServer(repoRoot().resolve("crds"), tokens);
    } else {
      tokens = null;
      api = null;
    }
    client = newClient();
    kubectl = new Kubectl(client, repoRoot().resolve("crds"));
    kubelets = new FakeKubelets(newClient());
    agentTls = ca.issue(dir.resolve("agent-tls"), AGENT_SERVER_NAME);
    agentCaFile = ca.writeCertificate(dir.resolve("agent-ca").resolve("ca.crt"));
    agentPort = LoopbackForward.freePort("127.0.0.1");
    namespace(SYSTEM);
    if (realApi != null) {
      operatorToken = realApi.serviceAccountToken(SYSTEM, "stasis-operator", AGENT_AUDIENCE);
      operatorApiToken = realApi.serviceAccountToken(SYSTEM, "stasis-operator", null);
    }
  }

  /**
   * A real API server drops the status of a pod created with one (the kubelet reports it): set it
   * through the status subresource, as the kubelet does. The in-JVM server keeps it as created.
   */
  private void onRealApiServerSetStatus(Resource<?> resource, Object status) {
    if (realApi != null) {
      resource
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("status", status)));
    }
  }

  /** A new client of the cluster's API server. */
  KubernetesClient newClient() {
    return realApi == null ? api.client() : realApi.client();
  }

  static Path repoRoot() {
    return Path.of(System.getProperty("stasis.root", "..")).toAbsolutePath().normalize();
  }

  /** {@code kubectl create namespace}. */
  void namespace(String namespace) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  /** The directory the nodes' filesystem storage (the chart's node-local default) lives in. */
  Path nodeCheckpointDir() {
    return dir.resolve("var-lib-stasis-checkpoints");
  }

  /**
   * A Ready node of a kind, with its agent (its pod Running on the node at its own address) and a
   * kubelet simulator making archives of {@code pagesBytes} of memory pages per container.
   *
   * @param agentEnv settings that differ from the chart's defaults for this node's agent
   */
  NodeAgent node(String nodeName, Cloud cloud, long pagesBytes, Map<String, String> agentEnv) {
    String address = "127.0.0." + NEXT_ADDRESS.getAndIncrement();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Samples.HOSTNAME_LABEL, nodeName);
    labels.put("kubernetes.io/os", "linux");
    String providerId = null;
    switch (cloud) {
      case EKS -> {
        providerId = "aws:///us-east-1a/i-0" + hex(nodeName, 16);
        labels.put("eks.amazonaws.com/nodegroup", "workers");
        labels.put("topology.kubernetes.io/zone", "us-east-1a");
      }
      case GKE -> {
        providerId = "gce://my-project/europe-west1-b/" + nodeName;
        labels.put("cloud.google.com/gke-nodepool", "default-pool");
        labels.put("topology.kubernetes.io/zone", "europe-west1-b");
      }
      case PLAIN -> {}
    }
    Node node =
        ClusterObjects.readyNode(nodeName, providerId, labels)
            .editStatus()
            .editFirstCondition()
            .withReason("KubeletReady")
            .endCondition()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress(address)
            .endAddress()
            .addNewAddress()
            .withType("Hostname")
            .withAddress(nodeName)
            .endAddress()
            .endStatus()
            .build();
    client.nodes().resource(node).create();
    onRealApiServerSetStatus(client.nodes().withName(nodeName), node.getStatus());
    try {
      Path nodeDir = dir.resolve("nodes").resolve(nodeName);
      String kubeletToken = "agent-kubelet-token-" + nodeName;
      KubeletSimulator kubelet =
          KubeletSimulator.start(nodeDir.resolve("kubelet-checkpoints"), kubeletToken)
              .pagesBytes(pagesBytes);
      Map<String, String> env =
          NodeAgent.environment(
              nodeName,
              kubelet,
              kubeletToken,
              nodeDir.resolve("agent"),
              agentTls.cert(),
              agentTls.key());
      if (backends.registry != null) {
        env.put("STASIS_REGISTRY", backends.registry.hostPort());
        env.put("STASIS_REGISTRY_REPOSITORY", "stasis/restore");
        env.put("STASIS_REGISTRY_PLAIN_HTTP", "true");
      }
      env.putAll(agentEnv);
      NodeAgent agent = new NodeAgent(nodeName, address, agentPort, kubelet, env, newClient());
      agents.put(nodeName, agent);
      kubelets.runtime(nodeName, agent);
      Pod agentPod =
          ClusterObjects.agentPod(
                  SYSTEM,
                  "stasis-agent-" + hex(nodeName, 5),
                  nodeName,
                  "ghcr.io/stasis-dev/agent:e2e",
                  address)
              .editSpec()
              .withServiceAccountName("stasis-agent")
              .endSpec()
              .editStatus()
              .withHostIP(address)
              .addNewCondition()
              .withType("Ready")
              .withStatus("True")
              .endCondition()
              .endStatus()
              .build();
      client.pods().inNamespace(SYSTEM).resource(agentPod).create();
      onRealApiServerSetStatus(
          client.pods().inNamespace(SYSTEM).withName(agentPod.getMetadata().getName()),
          agentPod.getStatus());
      return agent;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts the operator. Its settings are the tests' (short poll and storage-check intervals, no
   * leader election); everything else is what {@code Main} wires from the chart's environment.
   */
  void startOperator() {
    startOperator(Clock.systemUTC());
  }

  /** As {@link #startOperator()}, the operator reading the time from {@code clock}. */
  void startOperator(Clock clock) {
    try {
      Path token = Files.writeString(dir.resolve("operator-token"), operatorToken);
      OperatorSettings settings = OperatorSettings.forTests(SYSTEM).withAgentPort(agentPort);
      GrpcAgentClient agentClient =
          GrpcAgentClient.fromFiles(agentCaFile, token, AGENT_SERVER_NAME);
      operator =
          Main.start(
              settings,
              newClient(),
              agentClient,
              new StorageModuleCatalog(),
              "stasis-operator-" + name,
              false,
              clock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What a user sets up before applying the storage samples here: {@code kubectl -n stasis-system
   * create secret generic} with the S3 server's keys (the sample's comment names the keys).
   */
  void s3CredentialsSecret() {
    client
        .secrets()
        .inNamespace(SYSTEM)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(Samples.S3_SECRET)
                .withNamespace(SYSTEM)
                .endMetadata()
                .withType("Opaque")
                .addToStringData("AWS_ACCESS_KEY_ID", backends.s3.accessKey())
                .addToStringData("AWS_SECRET_ACCESS_KEY", backends.s3.secretKey())
                .build())
        .create();
  }

  /** Applies a sample with this cluster's values ({@link Samples#forThisCluster}). */
  List<JsonNode> applySample(String sample, String namespace) {
    return kubectl.apply(Samples.forThisCluster(sample, this, null), namespace);
  }

  /** Applies samples/workload.yaml, put on a node. */
  List<JsonNode> applyWorkload(String namespace, String node) {
    return kubectl.apply(Samples.forThisCluster("workload.yaml", this, node), namespace);
  }

  /** The operator's HTTP port (/healthz, /readyz, /metrics). */
  int operatorHttpPort() {
    return operator.http.port();
  }

  private static String hex(String seed, int length) {
    String h = UUID.nameUUIDFromBytes(seed.getBytes()).toString().replace("-", "");
    return h.substring(0, length);
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.close();
    }
    kubelets.close();
    agents.values().forEach(NodeAgent::close);
    if (api != null) {
      api.close();
    }
  }
}
