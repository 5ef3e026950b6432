package dev.stasis.agent.kubectl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        out.print(SERIALIZATION.asYaml(tree));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
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
