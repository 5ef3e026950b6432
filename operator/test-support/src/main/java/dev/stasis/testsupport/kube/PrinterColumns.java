package dev.stasis.testsupport.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@code kubectl get <kind>} shows for custom resources: the CRDs' {@code
 * additionalPrinterColumns}, evaluated on stored objects the way the API server's table printer
 * does. NAME comes first; columns of priority 0 always, higher ones with {@code -o wide}; {@code
 * date} columns as an age ({@code 45s}, {@code 3m12s}, {@code 5h}, {@code 2d}); a missing value is
 * empty. Only the JSONPath form the CRDs use ({@code .a.b.c}) is implemented; any other fails
 * loudly, so that a new column cannot be shown wrong silently.
 */
public final class PrinterColumns {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern SIMPLE_PATH = Pattern.compile("(\\.[A-Za-z0-9_-]+)+");

  /** One column of a CRD version. */
  public record Column(String name, String jsonPath, String type, int priority) {}

  private final Map<String, List<Column>> byKind;

  private PrinterColumns(Map<String, List<Column>> byKind) {
    this.byKind = byKind;
  }

  /** The columns of every CRD in a directory (the served version of each). */
  public static PrinterColumns fromDirectory(Path crdDirectory) {
    Map<String, List<Column>> byKind = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(crdDirectory)) {
      for (Path f : files.sorted().toList()) {
        String n = f.getFileName().toString();
        if (!n.endsWith(".yml") && !n.endsWith(".yaml")) {
          continue;
        }
        JsonNode crd = YAML.readTree(f.toFile());
        if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
          continue;
        }
        String kind = crd.path("spec").path("names").path("kind").asText();
        for (JsonNode version : crd.path("spec").path("versions")) {
          if (!version.path("served").asBoolean(true)) {
            continue;
          }
          List<Column> columns = new ArrayList<>();
          for (JsonNode c : version.path("additionalPrinterColumns")) {
            String path = c.path("jsonPath").asText();
            if (!SIMPLE_PATH.matcher(path).matches()) {
              throw new IllegalStateException(
                  kind
                      + " column "
                      + c.path("name").asText()
                      + ": JSONPath '"
                      + path
                      + "' is not implemented here");
            }
            columns.add(
                new Column(
                    c.path("name").asText(),
                    path,
                    c.path("type").asText("string"),
                    c.path("priority").asInt(0)));
          }
          byKind.put(kind, List.copyOf(columns));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read CRDs from " + crdDirectory, e);
    }
    return new PrinterColumns(byKind);
  }

  /** The columns of a kind, in the CRD's order. */
  public List<Column> columns(String kind) {
    List<Column> c = byKind.get(kind);
    if (c == null) {
      throw new IllegalArgumentException("no CRD for kind " + kind);
    }
    return c;
  }

  /**
   * One row of {@code kubectl get} (or {@code -o wide}) for an object: header to cell, NAME first.
   */
  public Map<String, String> row(JsonNode object, boolean wide, Instant now) {
    Map<String, String> row = new LinkedHashMap<>();
    row.put("NAME", object.path("metadata").path("name").asText());
    for (Column c : columns(object.path("kind").asText())) {
      if (c.priority() == 0 || wide) {
        row.put(c.name(), cell(object, c, now));
      }
    }
    return row;
  }

  /**
   * The rows as kubectl prints them: a header line and columns padded to their width; with {@code
   * allNamespaces} ({@code -A}) a NAMESPACE column first.
   */
  public String table(List<JsonNode> objects, boolean wide, boolean allNamespaces, Instant now) {
    List<Map<String, String>> rows = new ArrayList<>();
    for (JsonNode o : objects) {
      Map<String, String> row = new LinkedHashMap<>();
      if (allNamespaces) {
        row.put("NAMESPACE", o.path("metadata").path("namespace").asText());
      }
      row.putAll(row(o, wide, now));
      rows.add(row);
    }
    if (rows.isEmpty()) {
      return "No resources found.\n";
    }
    List<String> headers = new ArrayList<>(rows.get(0).keySet());
    Map<String, Integer> width = new LinkedHashMap<>();
    for (String h : headers) {
      int w = h.length();
      for (Map<String, String> r : rows) {
        w = Math.max(w, r.get(h).length());
      }
      width.put(h, w);
    }
    StringBuilder out = new StringBuilder();
    List<Map<String, String>> all = new ArrayList<>();
    Map<String, String> header = new LinkedHashMap<>();
    headers.forEach(h -> header.put(h, h));
    all.add(header);
    all.addAll(rows);
    for (Map<String, String> r : all) {
      StringBuilder line = new StringBuilder();
      for (String h : headers) {
        line.append(String.format("%-" + (width.get(h) + 3) + "s", r.get(h)));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private static String cell(JsonNode object, Column c, Instant now) {
    JsonNode value = object;
    for (String key : c.jsonPath().substring(1).split("\\.")) {
      value = value.path(key);
    }
    if (value.isMissingNode() || value.isNull()) {
      return "";
    }
    if ("date".equals(c.type())) {
      try {
        return age(Duration.between(Instant.parse(value.asText()), now));
      } catch (DateTimeParseException e) {
        return value.asText();
      }
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  /**
   * An age as kubectl writes it: seconds up to two minutes, then minutes (with seconds under ten
   * minutes), hours (with minutes under eight hours), days (with hours under eight days), years.
   */
  public static String age(Duration d) {
    long s = d.getSeconds();
    if (s < 0) {
      return "0s";
    }
    if (s < 120) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 10) {
      return s % 60 == 0 ? m + "m" : m + "m" + (s % 60) + "s";
    }
    if (m < 180) {
      return m + "m";
    }
    long h = m / 60;
    if (h < 8) {
      return m % 60 == 0 ? h + "h" : h + "h" + (m % 60) + "m";
    }
    if (h < 48) {
      return h + "h";
    }
    long days = h / 24;
    if (h < 24 * 8) {
      return h % 24 == 0 ? days + "d" : days + "d" + (h % 24) + "h";
    }
    if (days < 365 * 2) {
      return days + "d";
    }
    long years = days / 365;
    if (days < 365 * 8) {
      return days % 365 == 0 ? years + "y" : years + "y" + (days % 365) + "d";
    }
    return years + "y";
  }
}
