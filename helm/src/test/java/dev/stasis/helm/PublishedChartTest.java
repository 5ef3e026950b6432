package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import dev.stasis.testsupport.registry.RegistryServer;
import io.fabric8.kubernetes.api.model.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart as users get it: {@code helm package}, {@code helm push} to an OCI registry (Debian's
 * docker-registry), and {@code helm template oci://...} of what was pushed renders exactly what the
 * chart directory renders. The registry holds a Helm chart artifact with the Artifact Hub
 * annotations.
 */
class PublishedChartTest {
  private static final String REPOSITORY = "charts";

  @TempDir static Path tmp;
  static RegistryServer registry;
  static Path packaged;
  static JsonNode chartYaml;

  @BeforeAll
  static void packageAndPush() throws Exception {
    assumeTrue(RegistryServer.available(), RegistryServer.unavailableReason());
    registry = RegistryServer.start(tmp.resolve("registry"));
    chartYaml = ChartFixture.YAML.readTree(ChartFixture.chartDir().resolve("Chart.yaml").toFile());
    Path out = Files.createDirectories(tmp.resolve("package"));
    new Helm(ChartFixture.chartDir()).packageIt().withDestination(out).call();
    packaged = out.resolve("stasis-" + chartYaml.path("version").asText() + ".tgz");
    assertThat(packaged).exists();
    Helm.push()
        .withChart(packaged)
        .withRemote(URI.create("oci://" + registry.hostPort() + "/" + REPOSITORY))
        .plainHttp()
        .call();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    FakeApiServer.get().clear();
  }

  @Test
  void thePushedChartRendersWhatTheChartDirectoryRenders() {
    // A TLS Secret "in the cluster", so that both renders take it instead of making new CAs.
    FakeApiServer.get().clear();
    Secret tls =
        ChartFixture.renderDefaults()
            .get("Secret", ChartFixture.NAMESPACE, "stasis-agent-tls")
            .as(Secret.class);
    FakeApiServer.get()
        .putSecret(ChartFixture.NAMESPACE, "stasis-agent-tls", ChartFixture.JSON.valueToTree(tls));

    String fromDirectory =
        new Helm(ChartFixture.chartDir())
            .template()
            .withName(ChartFixture.RELEASE)
            .withNamespace(ChartFixture.NAMESPACE)
            .withKubeVersion(ChartFixture.KUBE_VERSION)
            .call();
    String fromRegistry =
        Helm.template("oci://" + registry.hostPort() + "/" + REPOSITORY + "/stasis")
            .withVersion(chartYaml.path("version").asText())
            .plainHttp()
            .withName(ChartFixture.RELEASE)
            .withNamespace(ChartFixture.NAMESPACE)
            .withKubeVersion(ChartFixture.KUBE_VERSION)
            .call();
    assertThat(fromRegistry).isNotBlank().isEqualTo(fromDirectory);
    FakeApiServer.get().clear();
  }

  @Test
  void theRegistryHoldsAHelmChartArtifactWithArtifactHubAnnotations() throws Exception {
    String version = chartYaml.path("version").asText();
    HttpClient http = HttpClient.newHttpClient();
    JsonNode manifest =
        ChartFixture.JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create(
                                registry.url()
                                    + "/v2/"
                                    + REPOSITORY
                                    + "/stasis/manifests/"
                                    + version))
                        .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                        .build(),
                    HttpResponse.BodyHandlers.ofByteArray())
                .body());
    assertThat(manifest.path("config").path("mediaType").asText())
        .isEqualTo("application/vnd.cncf.helm.config.v1+json");
    assertThat(manifest.path("layers").findValuesAsText("mediaType"))
        .contains("application/vnd.cncf.helm.chart.content.v1.tar+gzip");
    JsonNode config =
        ChartFixture.JSON.readTree(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create(
                                registry.url()
                                    + "/v2/"
                                    + REPOSITORY
                                    + "/stasis/blobs/"
                                    + manifest.path("config").path("digest").asText()))
                        .build(),
                    HttpResponse.BodyHandlers.ofByteArray())
                .body());
    assertThat(config.path("name").asText()).isEqualTo("stasis");
    assertThat(config.path("version").asText()).isEqualTo(version);
    JsonNode annotations = config.path("annotations");

    // Artifact Hub: the images the chart installs, at the chart's appVersion, and the changes.
    String appVersion = chartYaml.path("appVersion").asText();
    JsonNode images =
        ChartFixture.YAML.readTree(annotations.path("artifacthub.io/images").asText());
    assertThat(images.findValuesAsText("image"))
        .containsExactlyInAnyOrder(
            "ghcr.io/stasis-dev/stasis-operator:" + appVersion,
            "ghcr.io/stasis-dev/stasis-agent:" + appVersion);
    JsonNode changes =
        ChartFixture.YAML.readTree(annotations.path("artifacthub.io/changes").asText());
    assertThat(changes.isArray() && changes.size() > 0).as("artifacthub.io/changes").isTrue();
    JsonNode crds = ChartFixture.YAML.readTree(annotations.path("artifacthub.io/crds").asText());
    try (var files = Files.list(ChartFixture.chartDir().resolve("crds"))) {
      List<String> shipped =
          files.map(f -> f.getFileName().toString().replace("-v1.yml", "")).sorted().toList();
      assertThat(crds.findValuesAsText("name")).containsExactlyInAnyOrderElementsOf(shipped);
    }
  }
}
