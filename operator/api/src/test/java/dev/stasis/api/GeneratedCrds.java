package dev.stasis.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Restore;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The CRDs as the build publishes them: what crd-generator-maven-plugin wrote, with the printer
 * columns put back in the order the classes declare them. The generator sorts columns by JSON path
 * (fabric8io/kubernetes-client#7454), and kubectl prints them in CRD order, so without this AGE
 * would come first.
 */
final class GeneratedCrds {
  static final List<Class<? extends HasMetadata>> KINDS =
      List.of(Checkpoint.class, Restore.class, CheckpointStorage.class, CheckpointSchedule.class);

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
              .build());

  static final String HEADER =
      "# Generated from operator/api by crd-generator-maven-plugin; do not edit.\n"
          + "# Regenerate: "
          + CrdDriftTest.REGENERATE
          + "\n";

  private GeneratedCrds() {}

  static Path repoRoot() {
    String root = System.getProperty("stasis.root");
    if (root == null) {
      throw new IllegalStateException("system property stasis.root is not set (run through Maven)");
    }
    return Path.of(root);
  }

  static String fileName(Class<? extends HasMetadata> kind) {
    return HasMetadata.getPlural(kind) + "." + HasMetadata.getGroup(kind) + "-v1.yml";
  }

  /** The published text of one CRD. */
  static String render(Class<? extends HasMetadata> kind) throws IOException {
    Path generated = Path.of("target", "classes", "META-INF", "fabric8", fileName(kind));
    ObjectNode crd = (ObjectNode) YAML.readTree(generated.toFile());
    List<String> declared =
        Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    for (JsonNode version : crd.path("spec").path("versions")) {
      ArrayNode columns = (ArrayNode) version.get("additionalPrinterColumns");
      List<JsonNode> sorted = new ArrayList<>();
      columns.forEach(sorted::add);
      sorted.sort(Comparator.comparingInt(c -> declared.indexOf(c.path("name").asText())));
      columns.removeAll();
      columns.addAll(sorted);
    }
    return HEADER + YAML.writeValueAsString(crd);
  }

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
