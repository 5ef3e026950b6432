package dev.stasis.agent;

import dev.stasis.agent.auth.KubernetesTokenReviewer;
import dev.stasis.agent.kubelet.KubeletClient;
import dev.stasis.agent.store.EngineCheckpointStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The DaemonSet's entry point; configured from the environment (see docs/agent.md). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the node agent: gRPC over TLS on STASIS_AGENT_PORT (9443), /healthz /readyz /metrics on"
          + " STASIS_METRICS_PORT (9090).",
      "Configured from the environment: NODE_NAME, STASIS_AGENT_TLS_CERT, STASIS_AGENT_TLS_KEY,"
          + " STASIS_AGENT_TOKEN_AUDIENCE, STASIS_ALLOWED_CALLERS, STASIS_KUBELET_HOST,"
          + " STASIS_KUBELET_PORT, STASIS_KUBELET_CA, STASIS_KUBELET_INSECURE_SKIP_VERIFY,"
          + " STASIS_KUBELET_TOKEN_FILE, STASIS_CHECKPOINT_DIR, STASIS_KEEP_KUBELET_ARCHIVES,"
          + " STASIS_MAX_CONCURRENT_JOBS, STASIS_JOURNAL_DIR, STASIS_WORK_DIR,"
          + " STASIS_BANDWIDTH_LIMIT, STASIS_REGISTRY, STASIS_REGISTRY_REPOSITORY,"
          + " STASIS_REGISTRY_SECRET, STASIS_REGISTRY_PLAIN_HTTP, STASIS_TOKEN_REVIEW_CACHE_TTL,"
          + " STASIS_JOB_RETENTION, STASIS_LOG_LEVEL (see docs/agent.md)."
    })
final class ServeCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    AgentConfig config = AgentConfig.fromEnv(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().build();
    KubeletClient kubelet =
        KubeletClient.create(
            config.kubeletHost(),
            config.kubeletPort(),
            config.kubeletCa(),
            config.kubeletInsecure(),
            config.kubeletTokenFile(),
            config.checkpointDir());
    EngineCheckpointStore store = EngineCheckpointStore.fromEnvironment();
    Agent agent = Agent.start(config, new KubernetesTokenReviewer(client), kubelet, store, true);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  client.close();
                },
                "stasis-shutdown"));
    agent.awaitTermination();
    return 0;
  }
}
