package dev.stasis.controller;

import dev.stasis.controller.agent.AgentLocator;
import dev.stasis.controller.termination.TerminationDeadlines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's configuration, from the environment: the contract in docs/configuration.md
 * ("Operator (Deployment)").
 *
 * @param namespace STASIS_NAMESPACE: where the operator runs; its Lease and, by default, the
 *     credential Secrets live there
 * @param leaderElection STASIS_LEADER_ELECTION (default true)
 * @param leaseName STASIS_LEADER_ELECTION_LEASE_NAME (default stasis-operator)
 * @param watchNamespaces STASIS_WATCH_NAMESPACES: comma-separated; empty means all
 * @param httpPort STASIS_HTTP_PORT (default 8080): /healthz, /readyz, /metrics
 * @param agentNamespace STASIS_AGENT_NAMESPACE (default: namespace)
 * @param agentLabels STASIS_AGENT_LABEL_SELECTOR (default app.kubernetes.io/name=stasis-agent)
 * @param agentPort STASIS_AGENT_PORT (default 9443)
 * @param agentCa STASIS_AGENT_CA: PEM CA the agents' certificates chain to
 * @param agentServerName STASIS_AGENT_TLS_SERVER_NAME: the name the agents' certificate carries,
 *     used as the channel authority while dialling pod IPs; empty: verify the pod IP itself
 * @param tokenPath STASIS_TOKEN_PATH: the service-account token sent to agents, re-read per call
 * @param registry STASIS_REGISTRY: registry for restore images (empty: the agent's own)
 * @param registryRepository STASIS_REGISTRY_REPOSITORY
 * @param registryPlainHttp STASIS_REGISTRY_PLAIN_HTTP (default false)
 * @param pollInterval how often a running job is polled (2s)
 * @param storageCheckInterval how often storages are validated and synced (5m)
 * @param agentRetryInitial first retry after an agent could not be reached (2s, then doubling)
 * @param agentRetryAttempts retries before AgentUnreachable ends a Checkpoint or Restore (6)
 * @param terminationDeadlines
 *     STASIS_TERMINATION_DEADLINE_{GKE,SPOT,ASG,REBALANCE,MAINTENANCE,DRAIN}: activeDeadlineSeconds
 *     of the checkpoints taken before a node goes away (25, 100, 100, 100, 300, 300)
 * @param scheduleCheckInterval the longest a CheckpointSchedule waits before it reads the clock
 *     again, even when its next run is later (1m: a clock step or a missed wake-up costs at most
 *     this)
 */
public record OperatorSettings(
    String namespace,
    boolean leaderElection,
    String leaseName,
    Set<String> watchNamespaces,
    int httpPort,
    String agentNamespace,
    Map<String, String> agentLabels,
    int agentPort,
    Path agentCa,
    String agentServerName,
    Path tokenPath,
    String registry,
    String registryRepository,
    boolean registryPlainHttp,
    Duration pollInterval,
    Duration storageCheckInterval,
    Duration agentRetryInitial,
    int agentRetryAttempts,
    TerminationDeadlines terminationDeadlines,
    Duration scheduleCheckInterval) {

  public static final String DEFAULT_AGENT_SELECTOR = "app.kubernetes.io/name=stasis-agent";
  public static final int DEFAULT_AGENT_PORT = 9443;
  public static final String DEFAULT_TOKEN_PATH =
      "/var/run/secrets/kubernetes.io/serviceaccount/token";

  public static OperatorSettings fromEnv(Map<String, String> env) {
    String namespace = or(env.get("STASIS_NAMESPACE"), "stasis-system");
    return new OperatorSettings(
        namespace,
        Boolean.parseBoolean(or(env.get("STASIS_LEADER_ELECTION"), "true")),
        or(env.get("STASIS_LEADER_ELECTION_LEASE_NAME"), "stasis-operator"),
        namespaces(env.get("STASIS_WATCH_NAMESPACES")),
        Integer.parseInt(or(env.get("STASIS_HTTP_PORT"), "8080")),
        or(env.get("STASIS_AGENT_NAMESPACE"), namespace),
        AgentLocator.parseSelector(
            or(env.get("STASIS_AGENT_LABEL_SELECTOR"), DEFAULT_AGENT_SELECTOR)),
        Integer.parseInt(or(env.get("STASIS_AGENT_PORT"), Integer.toString(DEFAULT_AGENT_PORT))),
        Path.of(or(env.get("STASIS_AGENT_CA"), "/etc/stasis/agent-ca/ca.crt")),
        or(env.get("STASIS_AGENT_TLS_SERVER_NAME"), ""),
        Path.of(or(env.get("STASIS_TOKEN_PATH"), DEFAULT_TOKEN_PATH)),
        or(env.get("STASIS_REGISTRY"), ""),
        or(env.get("STASIS_REGISTRY_REPOSITORY"), ""),
        Boolean.parseBoolean(or(env.get("STASIS_REGISTRY_PLAIN_HTTP"), "false")),
        Duration.ofSeconds(2),
        Duration.ofMinutes(5),
        Duration.ofSeconds(2),
        6,
        TerminationDeadlines.fromEnv(env),
        Duration.ofMinutes(1));
  }

  /** Settings for tests: short intervals, no leader election, no files. */
  public static OperatorSettings forTests(String namespace) {
    return new OperatorSettings(
        namespace,
        false,
        "stasis-operator",
        Set.of(),
        0,
        namespace,
        AgentLocator.parseSelector(DEFAULT_AGENT_SELECTOR),
        DEFAULT_AGENT_PORT,
        null,
        "stasis-agent." + namespace + ".svc",
        null,
        "",
        "",
        false,
        Duration.ofMillis(200),
        Duration.ofSeconds(2),
        Duration.ofMillis(100),
        3,
        TerminationDeadlines.defaults(),
        Duration.ofMillis(200));
  }

  public OperatorSettings withLeaderElection(boolean on) {
    return new OperatorSettings(
        namespace,
        on,
        leaseName,
        watchNamespaces,
        httpPort,
        agentNamespace,
        agentLabels,
        agentPort,
        agentCa,
        agentServerName,
        tokenPath,
        registry,
        registryRepository,
        registryPlainHttp,
        pollInterval,
        storageCheckInterval,
        agentRetryInitial,
        agentRetryAttempts,
        terminationDeadlines,
        scheduleCheckInterval);
  }

  public OperatorSettings withRegistry(String url, String repository, boolean plainHttp) {
    return new OperatorSettings(
        namespace,
        leaderElection,
        leaseName,
        watchNamespaces,
        httpPort,
        agentNamespace,
        agentLabels,
        agentPort,
        agentCa,
        agentServerName,
        tokenPath,
        url,
        repository,
        plainHttp,
        pollInterval,
        storageCheckInterval,
        agentRetryInitial,
        agentRetryAttempts,
        terminationDeadlines,
        scheduleCheckInterval);
  }

  public OperatorSettings withAgentPort(int port) {
    return new OperatorSettings(
        namespace,
        leaderElection,
        leaseName,
        watchNamespaces,
        httpPort,
        agentNamespace,
        agentLabels,
        port,
        agentCa,
        agentServerName,
        tokenPath,
        registry,
        registryRepository,
        registryPlainHttp,
        pollInterval,
        storageCheckInterval,
        agentRetryInitial,
        agentRetryAttempts,
        terminationDeadlines,
        scheduleCheckInterval);
  }

  private static String or(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static Set<String> namespaces(String value) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
