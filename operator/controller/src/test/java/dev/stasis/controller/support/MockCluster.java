package dev.stasis.controller.support;

import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.StasisOperator;
import dev.stasis.controller.agent.GrpcAgentClient;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.TlsChannelCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One test cluster: a fabric8 mock API server in CRUD mode with the generated CRDs, nodes, agent
 * pods (each backed by a {@link SimulatedAgent} on its own loopback address, TLS, token check) and
 * a way to start operator instances against it.
 */
public final class MockCluster implements AutoCloseable {
  public static final String SYSTEM = "stasis-system";
  public static final String AGENT_SERVER_NAME = "stasis-agent.stasis-system.svc";

  private static final java.util.concurrent.atomic.AtomicInteger NEXT_IP =
      new java.util.concurrent.atomic.AtomicInteger(2);

  public final KubernetesMockServer server;
  public final KubernetesClient client;
  public final InMemoryStorage storage;
  public final TestCa ca;
  public final int agentPort;
  public final Map<String, SimulatedAgent> agents = new ConcurrentHashMap<>();
  private final List<StasisOperator> operators = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  public MockCluster(InMemoryStorage storage, Path workDir) {
    this.storage = storage;
    this.server =
        new KubernetesMockServer(
            new io.fabric8.mockwebserver.Context(),
            new io.fabric8.mockwebserver.MockWebServer(),
            new java.util.HashMap<>(),
            new ValidatingDispatcher(
                dev.stasis.testsupport.crd.CrdValidator.fromDirectory(repoRoot().resolve("crds"))),
            false);
    server.init();
    this.client = server.createClient();
    this.ca = new TestCa(workDir.resolve("tls"), AGENT_SERVER_NAME);
    this.agentPort = freePort();
    registerCrds();
    namespace(SYSTEM);
  }

  public static Path repoRoot() {
    return Path.of(System.getProperty("stasis.root", "../.."));
  }

  private void registerCrds() {
    try (Stream<Path> files = Files.list(repoRoot().resolve("crds"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          CustomResourceDefinition crd =
              Serialization.unmarshal(in, CustomResourceDefinition.class);
          client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Namespace namespace(String name) {
    return client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  /** A Ready node with a providerID and labels, and (if withAgent) a running agent on it. */
  public Node node(String name, String providerId, Map<String, String> labels, boolean withAgent) {
    Node node =
        client
            .nodes()
            .resource(
                new NodeBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withLabels(labels)
                    .endMetadata()
                    .withNewSpec()
                    .withProviderID(providerId)
                    .endSpec()
                    .withNewStatus()
                    .addNewCondition()
                    .withType("Ready")
                    .withStatus("True")
                    .endCondition()
                    .endStatus()
                    .build())
            .create();
    if (withAgent) {
      String ip = "127.0.0." + NEXT_IP.getAndIncrement();
      try {
        agents.put(name, new SimulatedAgent(name, ip, agentPort, ca, storage));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      agentPod(name, ip);
    }
    return node;
  }

  /** An agent pod on a node pointing at an address (no server there unless one was started). */
  public Pod agentPod(String node, String ip) {
    return client
        .pods()
        .inNamespace(SYSTEM)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("stasis-agent-" + node)
                .withNamespace(SYSTEM)
                .withLabels(Map.of("app.kubernetes.io/name", "stasis-agent"))
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .addNewContainer()
                .withName("agent")
                .withImage("stasis/agent:test")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withPodIP(ip)
                .endStatus()
                .build())
        .create();
  }

  /** A workload pod in a phase on a node. */
  public Pod pod(
      String namespace,
      String name,
      String node,
      String phase,
      Map<String, String> labels,
      String... containers) {
    var spec =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withNodeName(node);
    for (String c : containers) {
      spec =
          spec.addNewContainer()
              .withName(c)
              .withImage("docker.io/library/busybox:1.36")
              .withCommand("sleep", "infinity")
              .endContainer();
    }
    return client
        .pods()
        .inNamespace(namespace)
        .resource(spec.endSpec().withNewStatus().withPhase(phase).endStatus().build())
        .create();
  }

  /** Plays the kubelet: marks a pod Running. */
  public void markRunning(String namespace, String name) {
    Pod pod = client.pods().inNamespace(namespace).withName(name).get();
    pod.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
    client.pods().inNamespace(namespace).resource(pod).updateStatus();
  }

  public <T extends io.fabric8.kubernetes.api.model.HasMetadata> T apply(
      Class<T> type, String yaml) {
    T resource = Serialization.unmarshal(yaml, type);
    return client.resource(resource).create();
  }

  /** Starts an operator instance against this cluster (closed with the cluster). */
  public StasisOperator startOperator(OperatorSettings settings) {
    try {
      var tls = TlsChannelCredentials.newBuilder().trustManager(ca.caCert.toFile()).build();
      var agentClient =
          new GrpcAgentClient(
              tls, () -> SimulatedAgent.TOKEN, AGENT_SERVER_NAME, Duration.ofSeconds(3));
      StasisOperator operator =
          new StasisOperator(
              client,
              settings.withAgentPort(agentPort),
              Clock.systemUTC(),
              agentClient,
              storage,
              new SimpleMeterRegistry(),
              "test-operator");
      operator.start();
      operators.add(operator);
      closeables.add(agentClient);
      return operator;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A real gRPC client, TLS against the test CA, with the token the simulated agents accept. */
  public GrpcAgentClient agentClient() throws IOException {
    var tls = TlsChannelCredentials.newBuilder().trustManager(ca.caCert.toFile()).build();
    return new GrpcAgentClient(
        tls, () -> SimulatedAgent.TOKEN, AGENT_SERVER_NAME, Duration.ofSeconds(3));
  }

  public static OperatorSettings settings() {
    return OperatorSettings.forTests(SYSTEM);
  }

  /** Polls until the supplier's value satisfies the predicate; fails with the last value. */
  public static <T> T await(
      Supplier<T> supplier, Predicate<T> done, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = supplier.get();
      } catch (RuntimeException e) {
        last = null;
      }
      if (last != null && done.test(last)) {
        return last;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError(
        "timed out waiting for "
            + what
            + "; last seen: "
            + (last == null ? null : Serialization.asYaml(last)));
  }

  @Override
  public void close() {
    for (StasisOperator o : operators) {
      try {
        o.close();
      } catch (RuntimeException e) {
        // already stopped
      }
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // ignore
      }
    }
    agents.values().forEach(SimulatedAgent::close);
    client.close();
    server.destroy();
  }
}
