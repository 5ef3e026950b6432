package dev.stasis.controller.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.SimulatedAgent;
import dev.stasis.testsupport.kube.ClusterCa;
import io.grpc.TlsChannelCredentials;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC client's mapping of what agents answer, over a real TLS channel. */
class GrpcAgentClientTest {
  @TempDir Path tmp;

  @Test
  void refusalsMissingJobsAndDeadAgentsAreTellApart() throws Exception {
    ClusterCa.Issued ca = new ClusterCa().issue(tmp, "agent.test");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    var tls = TlsChannelCredentials.newBuilder().trustManager(ca.ca().toFile()).build();
    AgentEndpoint endpoint = new AgentEndpoint("agent-0", "node-0", "127.0.0.1", port);
    try (SimulatedAgent agent =
            new SimulatedAgent("node-0", "127.0.0.1", port, ca, new InMemoryStorage());
        GrpcAgentClient good =
            new GrpcAgentClient(
                tls, () -> SimulatedAgent.TOKEN, "agent.test", Duration.ofSeconds(3));
        GrpcAgentClient badToken =
            new GrpcAgentClient(tls, () -> "stolen", "agent.test", Duration.ofSeconds(3));
        GrpcAgentClient wrongName =
            new GrpcAgentClient(
                tls, () -> SimulatedAgent.TOKEN, "other.test", Duration.ofSeconds(3))) {
      assertThatThrownBy(() -> good.getJob(endpoint, "no-such-job"))
          .isInstanceOf(JobNotFoundException.class)
          .hasMessageContaining("GetJob on agent agent-0 (127.0.0.1:" + port + ", node node-0)");
      assertThatThrownBy(() -> badToken.getJob(endpoint, "x"))
          .isInstanceOf(AgentRefusedException.class)
          .hasMessageContaining("UNAUTHENTICATED");
      assertThatThrownBy(() -> wrongName.getJob(endpoint, "x"))
          .isInstanceOf(AgentUnreachableException.class);
      assertThat(agent.calls.get()).isEqualTo(1);
    }
    try (GrpcAgentClient good =
        new GrpcAgentClient(tls, () -> SimulatedAgent.TOKEN, "agent.test", Duration.ofSeconds(3))) {
      assertThatThrownBy(() -> good.getJob(endpoint, "x"))
          .isInstanceOf(AgentUnreachableException.class)
          .hasMessageContaining("UNAVAILABLE");
    }
  }

  @Test
  void aRotatedCaFileIsReadAgainAndTheTokenFileForEveryCall() throws Exception {
    ClusterCa.Issued oldCa = new ClusterCa().issue(tmp.resolve("old"), "agent.test");
    ClusterCa.Issued newCa = new ClusterCa().issue(tmp.resolve("new"), "agent.test");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    java.nio.file.Path caFile = tmp.resolve("mounted-ca.crt");
    java.nio.file.Path tokenFile = tmp.resolve("token");
    java.nio.file.Files.copy(oldCa.ca(), caFile);
    java.nio.file.Files.writeString(tokenFile, SimulatedAgent.TOKEN + "\n");
    AgentEndpoint endpoint = new AgentEndpoint("agent-0", "node-0", "127.0.0.1", port);
    // The agent already serves a certificate of the new CA.
    try (SimulatedAgent agent =
            new SimulatedAgent("node-0", "127.0.0.1", port, newCa, new InMemoryStorage());
        GrpcAgentClient client = GrpcAgentClient.fromFiles(caFile, tokenFile, "agent.test")) {
      assertThatThrownBy(() -> client.getJob(endpoint, "x"))
          .isInstanceOf(AgentUnreachableException.class);
      java.nio.file.Files.copy(
          newCa.ca(), caFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      java.nio.file.Files.setLastModifiedTime(
          caFile, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
      assertThatThrownBy(() -> client.getJob(endpoint, "x"))
          .isInstanceOf(JobNotFoundException.class);
      java.nio.file.Files.writeString(tokenFile, "rotated-and-not-accepted");
      assertThatThrownBy(() -> client.getJob(endpoint, "x"))
          .isInstanceOf(AgentRefusedException.class);
    }
  }

  @Test
  void settingsFollowTheDocumentedEnvironmentContract() {
    OperatorSettings defaults = OperatorSettings.fromEnv(Map.of());
    assertThat(defaults.namespace()).isEqualTo("stasis-system");
    assertThat(defaults.agentNamespace()).isEqualTo("stasis-system");
    assertThat(defaults.agentLabels())
        .containsExactly(Map.entry("app.kubernetes.io/name", "stasis-agent"));
    assertThat(defaults.agentPort()).isEqualTo(9443);
    assertThat(defaults.leaderElection()).isTrue();
    assertThat(defaults.leaseName()).isEqualTo("stasis-operator");
    assertThat(defaults.httpPort()).isEqualTo(8080);
    assertThat(defaults.watchNamespaces()).isEmpty();
    assertThat(defaults.agentServerName()).isEmpty();
    OperatorSettings set =
        OperatorSettings.fromEnv(
            Map.of(
                "STASIS_NAMESPACE", "ops",
                "STASIS_AGENT_LABEL_SELECTOR",
                    "app.kubernetes.io/component=agent,app.kubernetes.io/name=stasis",
                "STASIS_WATCH_NAMESPACES", "a, b",
                "STASIS_LEADER_ELECTION", "false",
                "STASIS_AGENT_TLS_SERVER_NAME", "stasis-agent.ops.svc",
                "STASIS_REGISTRY", "registry.ops.svc:5000"));
    assertThat(set.agentNamespace()).isEqualTo("ops");
    assertThat(set.agentLabels())
        .containsOnlyKeys("app.kubernetes.io/component", "app.kubernetes.io/name");
    assertThat(set.watchNamespaces()).containsExactly("a", "b");
    assertThat(set.leaderElection()).isFalse();
    assertThat(set.agentServerName()).isEqualTo("stasis-agent.ops.svc");
    assertThat(set.registry()).isEqualTo("registry.ops.svc:5000");
  }
}
