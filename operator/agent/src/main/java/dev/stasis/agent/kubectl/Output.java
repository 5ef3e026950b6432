package dev.stasis.agent.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code -o json|yaml}: the object as the API server returned it (a {@code List} for several, as
 * kubectl prints them); without it, the command's table or message for people.
 */
final class Output {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** YAML as kubectl prints it: no document marker, quotes only where needed. */
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "json or yaml: print the object(s) as the API returns them, no table.")
  String format;

  /** Whether machine output was asked for (then no progress bar and no table). */
  boolean machine() {
    if (format == null) {
      return false;
    }
    String f = format.toLowerCase(Locale.ROOT);
    if (!f.equals("json") && !f.equals("yaml")) {
      throw new PluginException(ExitCode.USAGE, "-o must be json or yaml, not '" + format + "'");
    }
    return true;
  }

  /** Prints one object (or a {@link #list}) in the chosen format. */
  void print(PrintWriter out, Object object) {
    JsonNode tree = SERIALIZATION.convertValue(object, JsonNode.class);
    try {
      if (format.equalsIgnoreCase("json")) {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
      } else {
        out.print(YAML.writeValueAsString(tree));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  /** Any value (a map, a list) as such YAML. */
  static String yaml(Object value) {
    try {
      return YAML.writeValueAsString(SERIALIZATION.convertValue(value, JsonNode.class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code kind: List} with these items, as {@code kubectl get -o json} prints several objects. */
  static Map<String, Object> list(List<?> items) {
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("apiVersion", "v1");
    list.put("kind", "List");
    list.put("items", items);
    list.put("metadata", Map.of("resourceVersion", ""));
    return list;
  }
}
