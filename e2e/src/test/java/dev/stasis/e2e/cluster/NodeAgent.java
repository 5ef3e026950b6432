package dev.stasis.e2e.cluster;

import dev.stasis.agent.Agent;
import dev.stasis.agent.AgentConfig;
import dev.stasis.agent.JobFailure;
import dev.stasis.agent.auth.KubernetesTokenReviewer;
import dev.stasis.agent.kubelet.KubeletClient;
import dev.stasis.agent.store.EngineCheckpointStore;
import dev.stasis.agent.store.StorageLocations;
import dev.stasis.storage.TransferOptions;
import dev.stasis.testsupport.kube.FakeKubelets;
import dev.stasis.testsupport.kubelet.KubeletSimulator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * One node's agent as the DaemonSet runs it: the real {@link Agent}, configured from the
 * environment the chart sets (see {@link #environment}), with a kubelet simulator standing in for
 * the node's kubelet, TokenReviews against the cluster's API server, and the storage module's
 * stores. Its pod IP is a loopback address of its own ({@link LoopbackForward}).
 *
 * <p>It also counts what the concurrency limit is about: kubelet dumps in flight (exactly, around
 * each call of the kubelet client) and jobs running in the agent (sampled every 2 ms).
 */
final class NodeAgent implements FakeKubelets.NodeRuntime, AutoCloseable {
  final String node;
  final String address;
  final KubeletSimulator kubelet;
  final Map<String, String> env;
  final Peak dumps = new Peak();
  final Peak runningJobs = new Peak();

  private final KubernetesClient apiClient;
  private final LoopbackForward podNetwork;
  private final ScheduledExecutorService sampler;
  private volatile Agent agent;

  /** The highest value a count reached since the last {@link #reset()}. */
  static final class Peak {
    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();

    void enter() {
      record(now.incrementAndGet());
    }

    void exit() {
      now.decrementAndGet();
    }

    void record(int value) {
      max.accumulateAndGet(value, Math::max);
    }

    int max() {
      return max.get();
    }

    void reset() {
      max.set(now.get());
    }
  }

  /**
   * Starts the agent of {@code node}.
   *
   * @param env the agent's environment (see {@link #environment})
   */
  NodeAgent(
      String node,
      String address,
      int agentPort,
      KubeletSimulator kubelet,
      Map<String, String> env,
      KubernetesClient apiClient) {
    this.node = node;
    this.address = address;
    this.kubelet = kubelet;
    this.env = Map.copyOf(env);
    this.apiClient = apiClient;
    start();
    this.podNetwork = new LoopbackForward(address, agentPort, () -> agent.port());
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "jobs-sampler-" + node);
              t.setDaemon(true);
              return t;
            });
    sampler.scheduleAtFixedRate(
        () -> {
          Agent a = agent;
          if (a != null) {
            runningJobs.record(a.jobs().runningCount());
          }
        },
        2,
        2,
        TimeUnit.MILLISECONDS);
  }

  /** The environment the chart gives an agent, for a node and its kubelet. */
  static Map<String, String> environment(
      String node,
      KubeletSimulator kubelet,
      String kubeletToken,
      Path dir,
      Path tlsCert,
      Path tlsKey) {
    try {
      Files.createDirectories(dir);
      Path kubeletCa = Files.writeString(dir.resolve("kubelet-ca.crt"), kubelet.tls().caPem());
      Path token = Files.writeString(dir.resolve("kubelet-token"), kubeletToken);
      Map<String, String> env = new LinkedHashMap<>();
      env.put("NODE_NAME", node);
      env.put("STASIS_AGENT_PORT", "0");
      env.put("STASIS_AGENT_TLS_CERT", tlsCert.toString());
      env.put("STASIS_AGENT_TLS_KEY", tlsKey.toString());
      env.put("STASIS_AGENT_TOKEN_AUDIENCE", InJvmCluster.AGENT_AUDIENCE);
      env.put("STASIS_ALLOWED_CALLERS", InJvmCluster.OPERATOR_USER);
      env.put("STASIS_KUBELET_HOST", kubelet.host());
      env.put("STASIS_KUBELET_PORT", Integer.toString(kubelet.port()));
      env.put("STASIS_KUBELET_CA", kubeletCa.toString());
      env.put("STASIS_KUBELET_TOKEN_FILE", token.toString());
      env.put("STASIS_CHECKPOINT_DIR", kubelet.checkpointDir().toString());
      env.put("STASIS_MAX_CONCURRENT_JOBS", "2");
      env.put("STASIS_JOURNAL_DIR", dir.resolve("journal").toString());
      env.put("STASIS_WORK_DIR", dir.resolve("work").toString());
      env.put("STASIS_METRICS_PORT", "0");
      // The tests compare what they read back from storage with the kubelet's own archives.
      env.put("STASIS_KEEP_KUBELET_ARCHIVES", "true");
      return env;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts (or, after {@link #kill()}, starts again) the agent with the same environment. */
  synchronized void start() {
    try {
      AgentConfig config = AgentConfig.fromEnv(env);
      SSLContext kubeletTls =
          KubeletClient.tlsContext(
              config.kubeletCa(), config.kubeletInsecure(), Path.of(AgentConfig.SA_DIR));
      KubeletClient kubeletClient =
          new KubeletClient(
              config.kubeletHost(),
              config.kubeletPort(),
              kubeletTls,
              KubeletClient.tokenFile(config.kubeletTokenFile()),
              config.checkpointDir(),
              KubeletClient.GRACE) {
            @Override
            public Path checkpoint(String namespace, String pod, String container, Duration t)
                throws JobFailure, InterruptedException {
              dumps.enter();
              try {
                return super.checkpoint(namespace, pod, container, t);
              } finally {
                dumps.exit();
              }
            }
          };
      EngineCheckpointStore store =
          new EngineCheckpointStore(new StorageLocations(env), TransferOptions.defaults());
      agent =
          Agent.start(config, new KubernetesTokenReviewer(apiClient), kubeletClient, store, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the agent of node " + node, e);
    }
  }

  /** Like a crash of the agent's pod: jobs stop where they are, the journal is left as it is. */
  synchronized void kill() {
    agent.kill();
  }

  Agent agent() {
    return agent;
  }

  void resetPeaks() {
    dumps.reset();
    runningJobs.reset();
  }

  /** The port of the agent's /healthz, /readyz and /metrics. */
  int metricsPort() {
    return agent.metricsPort();
  }

  @Override
  public void started(Pod pod) {
    Map<String, String> containers = new LinkedHashMap<>();
    for (Container c : pod.getSpec().getContainers()) {
      containers.put(c.getName(), c.getImage());
    }
    kubelet.addPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), containers);
  }

  @Override
  public void stopped(Pod pod) {
    kubelet.removePod(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    podNetwork.close();
    agent.close();
    kubelet.close();
  }
}
