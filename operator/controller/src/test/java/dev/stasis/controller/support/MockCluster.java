package dev.stasis.controller.support;

import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.StasisOperator;
import dev.stasis.controller.agent.GrpcAgentClient;
import dev.stasis.testsupport.kube.ClusterCa;
import dev.stasis.testsupport.kube.ClusterObjects;
import dev.stasis.testsupport.kube.StasisApiServer;
import dev.stasis.testsupport.kube.TokenReviews;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.TlsChannelCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One test cluster: the test API server ({@link StasisApiServer}) with the generated CRDs, nodes,
 * agent pods (each backed by a {@link SimulatedAgent} on its own loopback address, TLS, token
 * check) and a way to start operator instances against it.
 */
public final class MockCluster implements AutoCloseable {
  public static final String SYSTEM = "stasis-system";
  public static final String AGENT_SERVER_NAME = "stasis-agent.stasis-system.svc";

  private static final java.util.concurrent.atomic.AtomicInteger NEXT_IP =
      new java.util.concurrent.atomic.AtomicInteger(2);

  public final StasisApiServer api;
  public final KubernetesClient client;
  public final InMemoryStorage storage;

  /** The agents' serving certificate and the CA the operator trusts. */
  public final ClusterCa.Issued ca;

  public final int agentPort;
  public final Map<String, SimulatedAgent> agents = new ConcurrentHashMap<>();
  private final List<StasisOperator> operators = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  public MockCluster(InMemoryStorage storage, Path workDir) {
    this(storage, workDir, repoRoot().resolve("crds"));
  }

  /** A cluster whose API server admits with the CRDs of another directory. */
  public MockCluster(InMemoryStorage storage, Path workDir, Path crds) {
    this.storage = storage;
    this.api = new StasisApiServer(crds, new TokenReviews());
    this.client = api.client();
    this.ca = new ClusterCa().issue(workDir.resolve("tls"), AGENT_SERVER_NAME);
    this.agentPort = freePort();
    namespace(SYSTEM);
  }

  public static Path repoRoot() {
    return Path.of(System.getProperty("stasis.root", "../.."));
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
            .resource(ClusterObjects.readyNode(name, providerId, labels).build())
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
    Pod pod =
        ClusterObjects.agentPod(SYSTEM, "stasis-agent-" + node, node, "stasis/agent:test", ip)
            .build();
    return client.pods().inNamespace(SYSTEM).resource(pod).create();
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

  /** The default storage most tests need: a filesystem one, {@code local}. */
  public void defaultStorage() {
    apply(
        dev.stasis.api.v1alpha1.CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: local}
        spec: {filesystem: {path: /data}, default: true}
        """);
  }

  public <T extends io.fabric8.kubernetes.api.model.HasMetadata> T apply(
      Class<T> type, String yaml) {
    T resource = Serialization.unmarshal(yaml, type);
    return client.resource(resource).create();
  }

  /** Starts an operator instance against this cluster (closed with the cluster). */
  public StasisOperator startOperator(OperatorSettings settings) {
    return startOperator(settings, Clock.systemUTC());
  }

  /** As {@link #startOperator(OperatorSettings)}, reading the time from {@code clock}. */
  public StasisOperator startOperator(OperatorSettings settings, Clock clock) {
    try {
      GrpcAgentClient agentClient = agentClient();
      StasisOperator operator =
          new StasisOperator(
              client,
              settings.withAgentPort(agentPort),
              clock,
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
    var tls = TlsChannelCredentials.newBuilder().trustManager(ca.ca().toFile()).build();
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
    api.close();
  }
}
