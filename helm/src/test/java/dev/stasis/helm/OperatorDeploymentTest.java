package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator Deployment: locked down, leader-elected, wired to the agents. */
class OperatorDeploymentTest {
  private static final String NS = ChartFixture.NAMESPACE;

  private final ChartFixture.Rendered defaults = ChartFixture.renderDefaults();
  private final Deployment deployment = Manifests.operator(defaults);
  private final PodSpec pod = Manifests.pod(deployment);
  private final Container operator = Manifests.only(pod);

  @Test
  void runsAsNonRootWithNothingToEscalate() {
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    SecurityContext sc = operator.getSecurityContext();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(pod.getHostNetwork()).isNull();
    assertThat(Manifests.volumes(pod).values())
        .allSatisfy(v -> assertThat(v.getHostPath()).isNull());
  }

  @Test
  void servesHealthReadinessAndMetricsOnPort8080() {
    assertThat(operator.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("http");
              assertThat(p.getContainerPort()).isEqualTo(8080);
            });
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(operator.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/port", "8080")
        .containsEntry("prometheus.io/path", "/metrics");
    assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(operator.getResources().getLimits()).containsKey("memory");
  }

  @Test
  void environmentIsTheDocumentedContract() {
    var env = Manifests.env(operator);
    assertThat(env.keySet())
        .containsExactlyInAnyOrder(
            "STASIS_NAMESPACE",
            "STASIS_HTTP_PORT",
            "STASIS_LOG_LEVEL",
            "STASIS_LOG_FORMAT",
            "STASIS_LEADER_ELECTION",
            "STASIS_LEADER_ELECTION_LEASE_NAME",
            "STASIS_WATCH_NAMESPACES",
            "STASIS_AGENT_NAMESPACE",
            "STASIS_AGENT_LABEL_SELECTOR",
            "STASIS_AGENT_PORT",
            "STASIS_AGENT_CA",
            "STASIS_AGENT_TLS_SERVER_NAME",
            "STASIS_TOKEN_PATH",
            "STASIS_REGISTRY",
            "STASIS_REGISTRY_REPOSITORY",
            "STASIS_REGISTRY_PLAIN_HTTP");
    assertThat(Manifests.fieldRef(env, "STASIS_NAMESPACE")).isEqualTo("metadata.namespace");
    assertThat(Manifests.value(env, "STASIS_HTTP_PORT")).isEqualTo("8080");
    assertThat(Manifests.value(env, "STASIS_LEADER_ELECTION")).isEqualTo("true");
    assertThat(Manifests.value(env, "STASIS_LEADER_ELECTION_LEASE_NAME"))
        .isEqualTo("stasis-operator");
    assertThat(Manifests.value(env, "STASIS_WATCH_NAMESPACES")).isEmpty();
    assertThat(Manifests.value(env, "STASIS_AGENT_NAMESPACE")).isEqualTo(NS);
    assertThat(Manifests.value(env, "STASIS_AGENT_PORT")).isEqualTo("9443");
    assertThat(Manifests.value(env, "STASIS_AGENT_CA")).isEqualTo("/etc/stasis/agent-ca/ca.crt");
    assertThat(Manifests.value(env, "STASIS_AGENT_TLS_SERVER_NAME"))
        .isEqualTo("stasis-agent." + NS + ".svc");
    assertThat(Manifests.value(env, "STASIS_TOKEN_PATH"))
        .isEqualTo("/var/run/secrets/stasis.dev/agent-token/token");
    assertThat(Manifests.value(env, "STASIS_REGISTRY")).isEmpty();
    assertThat(Manifests.value(env, "STASIS_REGISTRY_REPOSITORY")).isEqualTo("stasis/restore");
    assertThat(Manifests.value(env, "STASIS_REGISTRY_PLAIN_HTTP")).isEqualTo("false");
  }

  @Test
  void theAgentLabelSelectorSelectsTheAgentPodsAndNotTheOperator() {
    String selector = Manifests.value(Manifests.env(operator), "STASIS_AGENT_LABEL_SELECTOR");
    Map<String, String> wanted = new java.util.HashMap<>();
    for (String pair : selector.split(",")) {
      String[] kv = pair.split("=", 2);
      wanted.put(kv[0], kv[1]);
    }
    Map<String, String> agentLabels =
        Manifests.agent(defaults).getSpec().getTemplate().getMetadata().getLabels();
    assertThat(agentLabels).containsAllEntriesOf(wanted);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels().entrySet())
        .as("the operator's own pods must not match")
        .doesNotContainAnyElementsOf(Map.of("app.kubernetes.io/component", "agent").entrySet());
    assertThat(wanted).containsEntry("app.kubernetes.io/component", "agent");
  }

  @Test
  void mountsOnlyTheAgentCaAndAnAudienceBoundToken() {
    Map<String, Volume> volumes = Manifests.volumes(pod);
    var ca = volumes.get("agent-ca").getSecret();
    assertThat(ca.getSecretName()).isEqualTo("stasis-agent-tls");
    assertThat(ca.getItems())
        .as("never the agents' private key")
        .singleElement()
        .satisfies(i -> assertThat(i.getKey()).isEqualTo("ca.crt"));
    var token = volumes.get("agent-token").getProjected().getSources();
    assertThat(token)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getServiceAccountToken().getAudience()).isEqualTo("stasis-agent");
              assertThat(s.getServiceAccountToken().getExpirationSeconds()).isEqualTo(3600L);
              assertThat(s.getServiceAccountToken().getPath()).isEqualTo("token");
            });
    var mounts = Manifests.mounts(operator);
    assertThat(mounts.get("agent-ca").getMountPath()).isEqualTo("/etc/stasis/agent-ca");
    assertThat(mounts.get("agent-token").getMountPath())
        .isEqualTo("/var/run/secrets/stasis.dev/agent-token");
    assertThat(mounts.get("tmp").getMountPath()).isEqualTo("/tmp");
    assertThat(mounts).containsOnlyKeys("agent-ca", "agent-token", "tmp");
  }

  @Test
  void withoutATokenAudienceTheOperatorSendsItsOrdinaryToken() {
    ChartFixture.Rendered r = ChartFixture.renderYaml("agent: {tokenAudience: \"\"}\n");
    PodSpec p = Manifests.pod(Manifests.operator(r));
    assertThat(Manifests.value(Manifests.env(Manifests.only(p)), "STASIS_TOKEN_PATH"))
        .isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount/token");
    assertThat(Manifests.volumes(p)).doesNotContainKey("agent-token");
    assertThat(Manifests.mounts(Manifests.only(p))).doesNotContainKey("agent-token");
    var agentEnv = Manifests.env(Manifests.only(Manifests.pod(Manifests.agent(r))));
    assertThat(Manifests.value(agentEnv, "STASIS_AGENT_TOKEN_AUDIENCE")).isEmpty();
  }

  @Test
  void registrySettingsReachTheOperatorLikeTheAgent() {
    ChartFixture.Rendered r =
        ChartFixture.renderYaml(
            "registry: {url: reg.example:5000, repository: a/b, insecure: true, secretName: push}\n");
    var opEnv = Manifests.env(Manifests.only(Manifests.pod(Manifests.operator(r))));
    var agentEnv = Manifests.env(Manifests.only(Manifests.pod(Manifests.agent(r))));
    for (String name :
        java.util.List.of(
            "STASIS_REGISTRY", "STASIS_REGISTRY_REPOSITORY", "STASIS_REGISTRY_PLAIN_HTTP")) {
      assertThat(Manifests.value(opEnv, name)).isEqualTo(Manifests.value(agentEnv, name));
    }
    assertThat(Manifests.value(opEnv, "STASIS_REGISTRY")).isEqualTo("reg.example:5000");
    assertThat(opEnv)
        .as("push credentials stay with the agents")
        .doesNotContainKey("STASIS_REGISTRY_SECRET");
  }

  @Test
  void twoReplicasWithLeaderElection() {
    Deployment d = Manifests.operator(ChartFixture.render(Map.of("operator.replicas", 2)));
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(
            Manifests.value(
                Manifests.env(Manifests.only(Manifests.pod(d))), "STASIS_LEADER_ELECTION"))
        .isEqualTo("true");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void leaderElectionCanBeTurnedOffForASingleReplica() {
    Deployment d =
        Manifests.operator(ChartFixture.render(Map.of("operator.leaderElection.enabled", false)));
    assertThat(
            Manifests.value(
                Manifests.env(Manifests.only(Manifests.pod(d))), "STASIS_LEADER_ELECTION"))
        .isEqualTo("false");
  }

  @Test
  void serviceAccountAnnotationsForCloudIdentity() {
    ChartFixture.Rendered eks =
        ChartFixture.render(ChartFixture.examplesDir().resolve("values-eks.yaml"));
    assertThat(
            eks.get("ServiceAccount", NS, "stasis-operator")
                .json()
                .at("/metadata/annotations")
                .toString())
        .contains("\"eks.amazonaws.com/role-arn\":\"arn:aws:iam::111122223333:role/stasis\"");
    assertThat(
            eks.get("ServiceAccount", NS, "stasis-agent")
                .json()
                .at("/metadata/annotations")
                .toString())
        .contains("\"eks.amazonaws.com/role-arn\":\"arn:aws:iam::111122223333:role/stasis\"");
    ChartFixture.Rendered gke =
        ChartFixture.render(ChartFixture.examplesDir().resolve("values-gke.yaml"));
    assertThat(
            gke.get("ServiceAccount", NS, "stasis-operator")
                .json()
                .at("/metadata/annotations")
                .toString())
        .contains(
            "\"iam.gke.io/gcp-service-account\":\"stasis@my-project.iam.gserviceaccount.com\"");
    assertThat(
            gke.get("ServiceAccount", NS, "stasis-agent")
                .json()
                .at("/metadata/annotations")
                .toString())
        .contains(
            "\"iam.gke.io/gcp-service-account\":\"stasis@my-project.iam.gserviceaccount.com\"");
    assertThat(
            defaults
                .get("ServiceAccount", NS, "stasis-agent")
                .json()
                .at("/metadata/annotations")
                .isMissingNode())
        .isTrue();
  }
}
