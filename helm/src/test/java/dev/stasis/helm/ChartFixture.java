package dev.stasis.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The chart in helm/stasis, driven through the Helm library that helm-java embeds. */
final class ChartFixture {
  static final String RELEASE = "stasis";
  static final String NAMESPACE = "stasis-system";
  static final String KUBE_VERSION = "v1.31.0";
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  private ChartFixture() {}

  static Path repoRoot() {
    String root = System.getProperty("stasis.root");
    if (root == null || root.isBlank()) {
      throw new IllegalStateException(
          "system property stasis.root is not set (the root pom's surefire configuration sets it)");
    }
    return Path.of(root).toAbsolutePath().normalize();
  }

  static Path chartDir() {
    return repoRoot().resolve("helm/stasis");
  }

  static Path examplesDir() {
    return chartDir().resolve("examples");
  }

  /** The values files shipped with the chart, for users to start from. */
  static List<Path> shippedValuesFiles() {
    try (Stream<Path> files = Files.list(examplesDir())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Renders the chart as `helm template stasis helm/stasis -n stasis-system` would. */
  static Rendered render(List<Path> valuesFiles, Map<String, Object> set) {
    FakeApiServer.get();
    TemplateCommand template =
        new Helm(chartDir())
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    for (Path file : valuesFiles) {
      template = template.withValuesFile(file);
    }
    for (Map.Entry<String, Object> entry : set.entrySet()) {
      template = template.set(entry.getKey(), entry.getValue());
    }
    return Rendered.parse(template.call());
  }

  static Rendered render(Map<String, Object> set) {
    return render(List.of(), set);
  }

  static Rendered renderDefaults() {
    return render(List.of(), Map.of());
  }

  static Rendered render(Path valuesFile) {
    return render(List.of(valuesFile), Map.of());
  }

  /** Renders with values given as YAML text, as a user's -f values.yaml would be. */
  static Rendered renderYaml(String valuesYaml) {
    return render(List.of(writeValues(valuesYaml)), Map.of());
  }

  /** The error `helm template` reports for these values (YAML); fails if they render. */
  static String renderErrorYaml(String valuesYaml) {
    Path file = writeValues(valuesYaml);
    try {
      String out = render(List.of(file), Map.of()).toString();
      throw new AssertionError(
          "expected the chart to refuse\n" + valuesYaml + "\nbut it rendered: " + out);
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  private static Path writeValues(String valuesYaml) {
    try {
      Path dir = Path.of(System.getProperty("java.io.tmpdir"));
      Path file = Files.createTempFile(dir, "stasis-values-", ".yaml");
      file.toFile().deleteOnExit();
      Files.writeString(file, valuesYaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The error `helm template` reports for these values; fails if they render. */
  static String renderError(Map<String, Object> set) {
    try {
      String out = render(set).toString();
      throw new AssertionError("expected the chart to refuse " + set + " but it rendered:\n" + out);
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  /** `helm lint --strict` of the chart with its own values.yaml. */
  static LintResult lint() {
    FakeApiServer.get();
    return new Helm(chartDir()).lint().strict().call();
  }

  /**
   * `helm lint --strict` with a values file on top of values.yaml. The embedded lint takes no
   * values files, so the chart is copied with the two merged into its values.yaml the way Helm
   * coalesces them (maps merge key by key, everything else is replaced).
   */
  static LintResult lint(Path valuesFile, Path workDir) {
    try {
      Path copy = workDir.resolve("stasis");
      copyTree(chartDir(), copy);
      JsonNode merged =
          merge(
              YAML.readTree(chartDir().resolve("values.yaml").toFile()),
              YAML.readTree(valuesFile.toFile()));
      YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
      FakeApiServer.get();
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode merge(JsonNode base, JsonNode overlay) {
    if (!(base instanceof ObjectNode baseObject) || !overlay.isObject()) {
      return overlay.deepCopy();
    }
    ObjectNode result = baseObject.deepCopy();
    for (Map.Entry<String, JsonNode> e : overlay.properties()) {
      JsonNode existing = result.get(e.getKey());
      result.set(
          e.getKey(), existing == null ? e.getValue().deepCopy() : merge(existing, e.getValue()));
    }
    return result;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : paths.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** The documents `helm template` printed, each with the template it came from. */
  record Rendered(List<Manifest> manifests) {
    static Rendered parse(String output) {
      List<Manifest> manifests = new ArrayList<>();
      // Helm separates documents with "---" lines and starts each with "# Source: <template>".
      for (String chunk : output.split("(?m)^---\\s*$")) {
        String source = "";
        for (String line : chunk.split("\n")) {
          if (line.startsWith("# Source: ")) {
            source = line.substring("# Source: ".length()).trim();
            break;
          }
        }
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(chunk)) {
          while (docs.hasNext()) {
            JsonNode doc = docs.next();
            if (doc != null && !doc.isNull() && !doc.isEmpty()) {
              manifests.add(new Manifest(source, chunk, doc));
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot parse rendered YAML from " + source, e);
        }
      }
      return new Rendered(List.copyOf(manifests));
    }

    List<Manifest> ofKind(String kind) {
      return manifests.stream().filter(m -> m.kind().equals(kind)).toList();
    }

    Manifest get(String kind, String name) {
      return manifests.stream()
          .filter(m -> m.kind().equals(kind) && m.name().equals(name))
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no " + kind + " named " + name + " in rendered kinds " + kindsAndNames()));
    }

    Manifest get(String kind, String namespace, String name) {
      return manifests.stream()
          .filter(
              m ->
                  m.kind().equals(kind) && m.name().equals(name) && m.namespace().equals(namespace))
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no "
                          + kind
                          + " "
                          + namespace
                          + "/"
                          + name
                          + " in rendered "
                          + kindsAndNames()));
    }

    Map<String, List<String>> kindsAndNames() {
      Map<String, List<String>> result = new LinkedHashMap<>();
      for (Manifest m : manifests) {
        result.computeIfAbsent(m.kind(), k -> new ArrayList<>()).add(m.name());
      }
      return result;
    }

    @Override
    public String toString() {
      return kindsAndNames().toString();
    }
  }

  record Manifest(String source, String text, JsonNode json) {
    String kind() {
      return json.path("kind").asText();
    }

    String apiVersion() {
      return json.path("apiVersion").asText();
    }

    String name() {
      return json.path("metadata").path("name").asText();
    }

    String namespace() {
      return json.path("metadata").path("namespace").asText();
    }

    /** The fabric8 model object of this manifest. */
    <T> T as(Class<T> type) {
      return JSON.convertValue(json, type);
    }
  }
}
