package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The image build definitions in images/ agree with the chart (users, jar names, commands) and the
 * chart's versions agree with the Maven build the images are made from.
 */
class ImagesAndVersionsTest {
  private static final Path ROOT = ChartFixture.repoRoot();

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "operator, operator/controller, stasis-controller",
    "agent, operator/agent, stasis-agent"
  })
  void dockerfileBuildsTheModuleJarAndRunsIt(String image, String module, String jar)
      throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("images/" + image + "/Dockerfile"));
    List<String> froms = lines(dockerfile, "^FROM (.+)$");
    assertThat(froms)
        .containsExactly("maven:3.9-eclipse-temurin-17 AS build", "eclipse-temurin:17-jre");
    assertThat(dockerfile).contains("./mvnw -B -pl " + module + " -am package -DskipTests");
    assertThat(dockerfile)
        .contains("find " + module + "/target -maxdepth 1 -name '" + jar + "-*.jar'");
    assertThat(dockerfile)
        .contains("COPY --from=build /out/" + jar + ".jar /opt/stasis/" + jar + ".jar");
    assertThat(dockerfile).contains("\"-jar\", \"/opt/stasis/" + jar + ".jar\"]");
    assertThat(Files.exists(ROOT.resolve("images/" + image + "/Dockerfile.dockerignore"))).isTrue();
  }

  @Test
  void theOperatorImageUserIsTheOneTheChartRunsAs() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("images/operator/Dockerfile"));
    var pod = Manifests.pod(Manifests.operator(ChartFixture.renderDefaults()));
    assertThat(lines(dockerfile, "^USER (.+)$"))
        .containsExactly(
            pod.getSecurityContext().getRunAsUser()
                + ":"
                + pod.getSecurityContext().getRunAsGroup());
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
  }

  @Test
  void theAgentImageRunsAsRootAndServesByDefault() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("images/agent/Dockerfile"));
    assertThat(lines(dockerfile, "^USER (.+)$")).containsExactly("0:0");
    assertThat(lines(dockerfile, "^CMD (.+)$")).containsExactly("[\"serve\"]");
    var pod = Manifests.pod(Manifests.agent(ChartFixture.renderDefaults()));
    assertThat(Manifests.only(pod).getArgs()).containsExactly("serve");
    assertThat(dockerfile).contains("EXPOSE 9443 9090");
  }

  @Test
  void chartMetadata() throws Exception {
    JsonNode chart =
        ChartFixture.YAML.readTree(ChartFixture.chartDir().resolve("Chart.yaml").toFile());
    assertThat(chart.get("apiVersion").asText()).isEqualTo("v2");
    assertThat(chart.get("name").asText()).isEqualTo("stasis");
    assertThat(chart.get("version").asText()).isEqualTo("0.1.0");
    assertThat(chart.get("appVersion").asText()).isEqualTo("0.1.0");
    assertThat(chart.get("type").asText()).isEqualTo("application");
  }

  @Test
  void appVersionIsTheMavenVersionTheImagesAreBuiltFrom() throws Exception {
    var pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(ROOT.resolve("pom.xml").toFile());
    String mavenVersion =
        pom.getDocumentElement().getElementsByTagName("version").item(0).getTextContent();
    JsonNode chart =
        ChartFixture.YAML.readTree(ChartFixture.chartDir().resolve("Chart.yaml").toFile());
    assertThat(mavenVersion.replaceFirst("-SNAPSHOT$", ""))
        .isEqualTo(chart.get("appVersion").asText());
  }

  @Test
  void theChartShipsTheGeneratedCrds() throws Exception {
    try (var files = Files.list(ROOT.resolve("crds"))) {
      for (Path crd : files.toList()) {
        assertThat(ChartFixture.chartDir().resolve("crds").resolve(crd.getFileName()))
            .hasSameTextualContentAs(crd);
      }
    }
  }

  @Test
  void theImagesReadmeShowsTheBuildCommands() throws Exception {
    String readme = Files.readString(ROOT.resolve("images/README.md"));
    assertThat(readme)
        .contains("docker build -f images/agent/Dockerfile")
        .contains("docker build -f images/operator/Dockerfile")
        .contains("ghcr.io/stasis-dev/stasis-operator")
        .contains("ghcr.io/stasis-dev/stasis-agent")
        .contains("jib-maven-plugin");
  }

  private static List<String> lines(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    List<String> found = new java.util.ArrayList<>();
    while (m.find()) {
      found.add(m.group(1).trim());
    }
    return found;
  }
}
