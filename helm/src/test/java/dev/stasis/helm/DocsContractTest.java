package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The user docs this chart owns stay true to it: every value and every environment variable is in
 * docs/configuration.md (the contract the Java code follows), every permission in docs/security.md,
 * and the files, samples and links the pages name exist.
 */
class DocsContractTest {
  private static final Path ROOT = ChartFixture.repoRoot();
  private static final List<String> PAGES =
      List.of(
          "install-eks.md",
          "install-gke.md",
          "checkpoint-and-restore.md",
          "migrate-between-clusters.md",
          "spot-and-preemption.md",
          "troubleshooting.md",
          "configuration.md",
          "security.md");

  static Stream<String> pages() {
    return PAGES.stream();
  }

  private static String doc(String name) throws IOException {
    return Files.readString(ROOT.resolve("docs").resolve(name));
  }

  /** Every variable the chart can set on either container, over variants that set them all. */
  private static Set<String> renderedEnvNames(String component) {
    Set<String> names = new LinkedHashSet<>();
    for (ChartFixture.Rendered r :
        List.of(
            ChartFixture.renderDefaults(),
            ChartFixture.renderYaml(
                "registry: {url: r.example, secretName: push}\nagent: {bandwidthLimit: 10Mi}\n"))) {
      var pod =
          component.equals("agent")
              ? Manifests.pod(Manifests.agent(r))
              : Manifests.pod(Manifests.operator(r));
      Manifests.only(pod).getEnv().stream().map(EnvVar::getName).forEach(names::add);
    }
    return names;
  }

  @Test
  void everyEnvironmentVariableOfTheAgentIsInTheContract() throws IOException {
    String page = doc("configuration.md");
    String agentSection = section(page, "### Agent (`stasis-agent serve`, DaemonSet)");
    assertThat(renderedEnvNames("agent"))
        .hasSizeGreaterThan(15)
        .allSatisfy(name -> assertThat(agentSection).contains("| `" + name + "` |"));
  }

  @Test
  void everyEnvironmentVariableOfTheOperatorIsInTheContract() throws IOException {
    String page = doc("configuration.md");
    String operatorSection = section(page, "### Operator (Deployment)");
    assertThat(renderedEnvNames("operator"))
        .hasSizeGreaterThan(10)
        .allSatisfy(name -> assertThat(operatorSection).contains("| `" + name + "` |"));
  }

  @Test
  void theContractListsNoVariableTheChartDoesNotSetUnlessItSaysSo() throws IOException {
    String page = doc("configuration.md");
    for (String[] part :
        List.of(
            new String[] {"### Agent (`stasis-agent serve`, DaemonSet)", "agent"},
            new String[] {"### Operator (Deployment)", "operator"})) {
      Set<String> rendered = renderedEnvNames(part[1]);
      Matcher m = Pattern.compile("(?m)^\\| `([A-Z_]+)` \\|").matcher(section(page, part[0]));
      while (m.find()) {
        assertThat(rendered)
            .as("%s documented for the %s", m.group(1), part[1])
            .contains(m.group(1));
      }
    }
  }

  @Test
  void everyValueIsDocumented() throws IOException {
    String page = doc("configuration.md");
    JsonNode values =
        ChartFixture.YAML.readTree(ChartFixture.chartDir().resolve("values.yaml").toFile());
    List<String> undocumented = new ArrayList<>();
    leaves(values, "", page, undocumented);
    assertThat(undocumented).as("values missing from docs/configuration.md").isEmpty();
  }

  /** A leaf counts as documented when it, or a map it sits in, appears as `path`. */
  private static void leaves(JsonNode node, String path, String page, List<String> missing) {
    if (!path.isEmpty() && page.contains("`" + path + "`")) {
      return;
    }
    if (node.isObject() && !node.isEmpty()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        leaves(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), page, missing);
      }
    } else {
      missing.add(path);
    }
  }

  @Test
  void everyGrantedPermissionIsExplainedInTheSecurityPage() throws IOException {
    String page = doc("security.md");
    ChartFixture.Rendered r =
        ChartFixture.renderYaml(
            "operator: {watchNamespaces: [team-a]}\nrbac: {aggregateToDefaultRoles: true}\n");
    List<PolicyRule> rules = new ArrayList<>();
    r.ofKind("ClusterRole").forEach(m -> rules.addAll(m.as(ClusterRole.class).getRules()));
    r.ofKind("Role").forEach(m -> rules.addAll(m.as(Role.class).getRules()));
    rules.addAll(
        ChartFixture.renderDefaults()
            .get("ClusterRole", "stasis-operator")
            .as(ClusterRole.class)
            .getRules());
    for (PolicyRule rule : rules) {
      for (String resource : rule.getResources()) {
        assertThat(page).as("security.md names %s", resource).contains("`" + resource + "`");
      }
      for (String verb : rule.getVerbs()) {
        assertThat(page).as("security.md names verb %s", verb).contains("`" + verb + "`");
      }
      for (String group : rule.getApiGroups()) {
        assertThat(page).contains("`" + group + "`");
      }
    }
    for (String setting :
        List.of(
            "runAsUser",
            "capabilities",
            "privileged",
            "allowPrivilegeEscalation",
            "readOnlyRootFilesystem",
            "seccompProfile",
            "hostNetwork",
            "/var/lib/kubelet/checkpoints",
            "/var/lib/stasis/checkpoints",
            "/var/lib/stasis/journal")) {
      assertThat(page).as("security.md explains %s", setting).contains(setting);
    }
  }

  @ParameterizedTest
  @MethodSource("pages")
  void pageSaysWhatCannotBeTriedWithoutACriuCapableRuntime(String name) throws IOException {
    String page = doc(name);
    assertThat(page).startsWith("# ");
    if (!name.equals("configuration.md") && !name.equals("security.md")) {
      assertThat(page).contains("CRIU").contains("1.30");
    }
  }

  @ParameterizedTest
  @MethodSource("pages")
  void filesSamplesAndLinksThePageNamesExist(String name) throws IOException {
    String page = doc(name);
    Path dir = ROOT.resolve("docs");
    Matcher samples = Pattern.compile("samples/[A-Za-z0-9.-]+\\.yaml").matcher(page);
    while (samples.find()) {
      assertThat(ROOT.resolve(samples.group())).as("%s names %s", name, samples.group()).exists();
    }
    Matcher values = Pattern.compile("helm/stasis/examples/[A-Za-z0-9.-]+\\.yaml").matcher(page);
    while (values.find()) {
      assertThat(ROOT.resolve(values.group())).as("%s names %s", name, values.group()).exists();
    }
    Matcher links = Pattern.compile("\\]\\(([^)#\\s]*)(#[^)\\s]+)?\\)").matcher(page);
    while (links.find()) {
      String target = links.group(1);
      if (target.startsWith("http")) {
        continue;
      }
      Path file = target.isEmpty() ? dir.resolve(name) : dir.resolve(target).normalize();
      assertThat(file).as("%s links to %s", name, target).exists();
      if (links.group(2) != null && file.toString().endsWith(".md")) {
        assertThat(anchors(Files.readString(file)))
            .as("%s links to %s%s", name, target, links.group(2))
            .contains(links.group(2).substring(1));
      }
    }
  }

  @Test
  void theInstallPagesUseTheDocumentedInstallCommand() throws IOException {
    for (String name : List.of("install-eks.md", "install-gke.md", "checkpoint-and-restore.md")) {
      assertThat(doc(name))
          .contains("helm install stasis ./helm/stasis -n stasis-system --create-namespace");
    }
    assertThat(doc("configuration.md"))
        .contains("No Service of that name exists and none is\nneeded");
  }

  @Test
  void notesTellTheUserWhatToDoNext() throws IOException {
    String notes = Files.readString(ChartFixture.chartDir().resolve("templates/NOTES.txt"));
    assertThat(notes)
        .contains("kubectl apply -f samples/workload.yaml")
        .contains("kubectl apply -f samples/checkpoint.yaml")
        .contains("kubectl get checkpoints");
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
  private static Set<String> anchors(String markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    Matcher m = Pattern.compile("(?m)^#+ (.+)$").matcher(markdown);
    while (m.find()) {
      anchors.add(
          m.group(1)
              .trim()
              .toLowerCase(Locale.ROOT)
              .replaceAll("[^a-z0-9 _-]", "")
              .replace(' ', '-'));
    }
    return anchors;
  }

  private static String section(String page, String heading) {
    int start = page.indexOf(heading);
    assertThat(start).as("heading %s", heading).isNotNegative();
    int end = page.indexOf("\n### ", start + heading.length());
    int end2 = page.indexOf("\n## ", start + heading.length());
    int stop = Stream.of(end, end2).filter(i -> i > 0).min(Integer::compare).orElse(page.length());
    return page.substring(start, stop);
  }
}
