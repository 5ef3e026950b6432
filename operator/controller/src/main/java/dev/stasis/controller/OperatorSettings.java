package dev.stasis.controller;

import dev.stasis.controller.agent.AgentLocator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's configuration, from the environment (the contract in docs/configuration.md).
 *
 * @param namespace STASIS_NAMESPACE: where the operator runs; its Lease and, by default, the
 *     credential Secrets live there
 * @param agentNamespace STASIS_AGENT_NAMESPACE (default: namespace)
 * @param agentLabels STASIS_AGENT_LABEL_SELECTOR (default app.kubernetes.io/name=stasis-agent)
 * @param agentPort STASIS_AGENT_PORT (default 9443)
 * @param agentCa STASIS_AGENT_CA: PEM file of the CA that signed the agents' certificates
 * @param tokenPath STASIS_TOKEN_PATH: the projected service-account token sent to agents
 * @param leaderElection STASIS_LEADER_ELECTION (default true)
 * @param watchNamespaces STASIS_WATCH_NAMESPACES: comma-separated; empty means all
 * @param httpPort STASIS_HTTP_PORT (default 8080): /healthz, /readyz, /metrics
 * @param agentServerName STASIS_AGENT_TLS_SERVER_NAME: the name the agents' certificate carries
 *     (default stasis-agent.&lt;agent namespace&gt;.svc); agents are dialled by pod IP with this
 *     name for TLS
 */
public record OperatorSettings(
    String namespace,
    String agentNamespace,
    Map<String, String> agentLabels,
    int agentPort,
    Path agentCa,
    Path tokenPath,
    boolean leaderElection,
    Set<String> watchNamespaces,
    int httpPort,
    Duration pollInterval,
    Duration storageCheckInterval,
    Duration agentRetryInitial,
    int agentRetryAttempts,
    String agentServerName) {

  public static final String DEFAULT_AGENT_SELECTOR = "app.kubernetes.io/name=stasis-agent";
  public static final int DEFAULT_AGENT_PORT = 9443;
  public static final String DEFAULT_TOKEN_PATH =
      "/var/run/secrets/kubernetes.io/serviceaccount/token";

  public static OperatorSettings fromEnv(Map<String, String> env) {
    String namespace = env.getOrDefault("STASIS_NAMESPACE", "stasis-system");
    return new OperatorSettings(
        namespace,
        blankTo(env.get("STASIS_AGENT_NAMESPACE"), namespace),
        AgentLocator.parseSelector(
            blankTo(env.get("STASIS_AGENT_LABEL_SELECTOR"), DEFAULT_AGENT_SELECTOR)),
        Integer.parseInt(
            blankTo(env.get("STASIS_AGENT_PORT"), Integer.toString(DEFAULT_AGENT_PORT))),
        Path.of(blankTo(env.get("STASIS_AGENT_CA"), "/etc/stasis/agent-ca/ca.crt")),
        Path.of(blankTo(env.get("STASIS_TOKEN_PATH"), DEFAULT_TOKEN_PATH)),
        Boolean.parseBoolean(blankTo(env.get("STASIS_LEADER_ELECTION"), "true")),
        namespaces(env.get("STASIS_WATCH_NAMESPACES")),
        Integer.parseInt(blankTo(env.get("STASIS_HTTP_PORT"), "8080")),
        Duration.ofSeconds(2),
        Duration.ofMinutes(5),
        Duration.ofSeconds(2),
        6,
        blankTo(
            env.get("STASIS_AGENT_TLS_SERVER_NAME"),
            "stasis-agent." + blankTo(env.get("STASIS_AGENT_NAMESPACE"), namespace) + ".svc"));
  }

  /** Settings for tests: short intervals, no leader election, no files. */
  public static OperatorSettings forTests(String namespace) {
    return new OperatorSettings(
        namespace,
        namespace,
        AgentLocator.parseSelector(DEFAULT_AGENT_SELECTOR),
        DEFAULT_AGENT_PORT,
        null,
        null,
        false,
        Set.of(),
        0,
        Duration.ofMillis(200),
        Duration.ofSeconds(2),
        Duration.ofMillis(100),
        3,
        "stasis-agent." + namespace + ".svc");
  }

  public OperatorSettings withPollInterval(Duration d) {
    return new OperatorSettings(
        namespace,
        agentNamespace,
        agentLabels,
        agentPort,
        agentCa,
        tokenPath,
        leaderElection,
        watchNamespaces,
        httpPort,
        d,
        storageCheckInterval,
        agentRetryInitial,
        agentRetryAttempts,
        agentServerName);
  }

  public OperatorSettings withStorageCheckInterval(Duration d) {
    return new OperatorSettings(
        namespace,
        agentNamespace,
        agentLabels,
        agentPort,
        agentCa,
        tokenPath,
        leaderElection,
        watchNamespaces,
        httpPort,
        pollInterval,
        d,
        agentRetryInitial,
        agentRetryAttempts,
        agentServerName);
  }

  public OperatorSettings withLeaderElection(boolean on) {
    return new OperatorSettings(
        namespace,
        agentNamespace,
        agentLabels,
        agentPort,
        agentCa,
        tokenPath,
        on,
        watchNamespaces,
        httpPort,
        pollInterval,
        storageCheckInterval,
        agentRetryInitial,
        agentRetryAttempts,
        agentServerName);
  }

  public OperatorSettings withAgentPort(int port) {
    return new OperatorSettings(
        namespace,
        agentNamespace,
        agentLabels,
        port,
        agentCa,
        tokenPath,
        leaderElection,
        watchNamespaces,
        httpPort,
        pollInterval,
        storageCheckInterval,
        agentRetryInitial,
        agentRetryAttempts,
        agentServerName);
  }

  private static String blankTo(String value, String fallback) {
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
