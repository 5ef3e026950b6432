package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.CheckpointStorage;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What renders, and that each document is the Kubernetes object it claims to be. */
class RenderedManifestsTest {
  /** Kinds of other projects, which fabric8 has no model class for. */
  private static final Set<String> FOREIGN_API_VERSIONS = Set.of("cert-manager.io/v1");

  private static final Set<String> CLUSTER_SCOPED =
      Set.of("ClusterRole", "ClusterRoleBinding", "CheckpointStorage");

  static Stream<Arguments> variants() {
    Stream<Arguments> files =
        ChartFixture.shippedValuesFiles().stream()
            .map(p -> Arguments.of(p.getFileName().toString(), ChartFixture.render(p)));
    return Stream.concat(
        Stream.of(
            Arguments.of("defaults", ChartFixture.renderDefaults()),
            Arguments.of(
                "cert-manager", ChartFixture.render(Map.of("tls.certManager.enabled", true))),
            Arguments.of(
                "watch namespaces",
                ChartFixture.renderYaml(
                    "operator: {watchNamespaces: [team-a, team-b], replicas: 2}\n"
                        + "rbac: {aggregateToDefaultRoles: true}\n"
                        + "registry: {url: registry.example.com, secretName: push}\n"))),
        files);
  }

  @Test
  void defaultsRenderExactlyTheseObjects() {
    assertThat(ChartFixture.renderDefaults().kindsAndNames())
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("ServiceAccount", List.of("stasis-operator", "stasis-agent")),
                Map.entry("Secret", List.of("stasis-agent-tls")),
                Map.entry("ClusterRole", List.of("stasis-agent", "stasis-operator")),
                Map.entry("ClusterRoleBinding", List.of("stasis-agent", "stasis-operator")),
                Map.entry("Role", List.of("stasis-operator")),
                Map.entry("RoleBinding", List.of("stasis-operator")),
                Map.entry("DaemonSet", List.of("stasis-agent")),
                Map.entry("Deployment", List.of("stasis-operator")),
                Map.entry("PodDisruptionBudget", List.of("stasis-operator")),
                Map.entry("CheckpointStorage", List.of("node-local"))));
  }

  @Test
  void noServiceIsRenderedBecauseTheOperatorDialsAgentPodsDirectly() {
    for (Arguments variant : variants().toList()) {
      ChartFixture.Rendered rendered = (ChartFixture.Rendered) variant.get()[1];
      assertThat(rendered.ofKind("Service")).as("%s", variant.get()[0]).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyDocumentParsesAsTheKindItClaims(String variant, ChartFixture.Rendered rendered) {
    assertThat(rendered.manifests()).isNotEmpty();
    for (ChartFixture.Manifest manifest : rendered.manifests()) {
      HasMetadata parsed = Serialization.unmarshal(manifest.json().toString());
      assertThat(parsed.getKind())
          .as("%s in %s", manifest.source(), variant)
          .isEqualTo(manifest.kind());
      assertThat(parsed.getApiVersion()).isEqualTo(manifest.apiVersion());
      if (FOREIGN_API_VERSIONS.contains(manifest.apiVersion())) {
        assertThat(parsed).isInstanceOf(GenericKubernetesResource.class);
      } else {
        assertThat(parsed.getClass().getSimpleName())
            .as(
                "%s %s (%s) must map to the fabric8 model class",
                manifest.kind(), manifest.name(), variant)
            .isEqualTo(manifest.kind());
        // A misspelt field would be kept as an "additional property" instead of failing.
        assertThat(UnknownFields.of(parsed))
            .as(
                "fields of %s %s (%s) the Kubernetes schema does not know",
                manifest.kind(), manifest.name(), variant)
            .isEmpty();
      }
      if (parsed instanceof CheckpointStorage storage) {
        assertThat(storage.getSpec()).isNotNull();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void namespacedObjectsLiveInTheReleaseNamespaceAndCarryTheChartLabels(
      String variant, ChartFixture.Rendered rendered) {
    for (ChartFixture.Manifest m : rendered.manifests()) {
      if (CLUSTER_SCOPED.contains(m.kind())) {
        assertThat(m.namespace()).as("%s %s is cluster scoped", m.kind(), m.name()).isEmpty();
      } else if (!m.kind().equals("Role") && !m.kind().equals("RoleBinding")) {
        assertThat(m.namespace()).as("%s %s", m.kind(), m.name()).isEqualTo(ChartFixture.NAMESPACE);
      } else {
        assertThat(m.namespace()).as("%s %s", m.kind(), m.name()).isNotEmpty();
      }
      var labels = m.json().path("metadata").path("labels");
      assertThat(labels.path("app.kubernetes.io/name").asText()).isEqualTo("stasis");
      assertThat(labels.path("app.kubernetes.io/instance").asText())
          .isEqualTo(ChartFixture.RELEASE);
      assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
      assertThat(labels.path("helm.sh/chart").asText()).isEqualTo("stasis-0.1.0");
    }
  }

  @Test
  void fullnameFollowsTheReleaseName() {
    ChartFixture.Rendered rendered =
        ChartFixture.render(List.<Path>of(), Map.of("fullnameOverride", "ckpt"));
    assertThat(rendered.ofKind("DaemonSet"))
        .extracting(ChartFixture.Manifest::name)
        .containsExactly("ckpt-agent");
    assertThat(rendered.ofKind("Deployment"))
        .extracting(ChartFixture.Manifest::name)
        .containsExactly("ckpt-operator");
  }

  @Test
  void imagesDefaultToTheAppVersionOnGhcr() {
    ChartFixture.Rendered rendered = ChartFixture.renderDefaults();
    assertThat(Manifests.only(Manifests.pod(Manifests.operator(rendered))).getImage())
        .isEqualTo("ghcr.io/stasis-dev/stasis-operator:0.1.0");
    assertThat(Manifests.only(Manifests.pod(Manifests.agent(rendered))).getImage())
        .isEqualTo("ghcr.io/stasis-dev/stasis-agent:0.1.0");
  }

  @Test
  void imageRegistryTagDigestAndPullSettingsApply() {
    String digest = "sha256:" + "a".repeat(64);
    ChartFixture.Rendered rendered =
        ChartFixture.renderYaml(
            """
            image: {registry: mirror.example.com:5000, tag: 0.2.0, pullPolicy: Always, pullSecrets: [mirror-pull]}
            agent: {image: {digest: %s}}
            """
                .formatted(digest));
    var operatorPod = Manifests.pod(Manifests.operator(rendered));
    var agentPod = Manifests.pod(Manifests.agent(rendered));
    assertThat(Manifests.only(operatorPod).getImage())
        .isEqualTo("mirror.example.com:5000/stasis-dev/stasis-operator:0.2.0");
    assertThat(Manifests.only(agentPod).getImage())
        .isEqualTo("mirror.example.com:5000/stasis-dev/stasis-agent@" + digest);
    for (var pod : List.of(operatorPod, agentPod)) {
      assertThat(Manifests.only(pod).getImagePullPolicy()).isEqualTo("Always");
      assertThat(pod.getImagePullSecrets()).extracting("name").containsExactly("mirror-pull");
    }
  }
}
