package dev.stasis.testsupport.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Validates custom resources against CRDs the way the Kubernetes API server does on create and
 * update: defaults first, then the structural openAPIV3Schema (types, required, enum, pattern,
 * bounds, unknown fields as with {@code kubectl --validate=strict}), then the {@code
 * x-kubernetes-validations} CEL rules, including transition rules on update.
 *
 * <p>Messages follow the API server's wording and always start with the field path, for example
 * {@code spec.podName: Required value}. Only the schema keywords our CRDs use are implemented; an
 * unknown keyword fails loudly rather than being skipped.
 *
 * <p>Longer than our other classes on purpose: it is one recursive walk over a structural schema,
 * each keyword a short case of it; CEL evaluation is {@link CelRules}.
 */
public final class CrdValidator {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final List<String> KNOWN_KEYWORDS =
      List.of(
          "type",
          "description",
          "properties",
          "required",
          "items",
          "additionalProperties",
          "enum",
          "pattern",
          "minLength",
          "maxLength",
          "minimum",
          "maximum",
          "minItems",
          "maxItems",
          "default",
          "nullable",
          "format",
          "x-kubernetes-validations",
          "x-kubernetes-preserve-unknown-fields",
          "x-kubernetes-int-or-string",
          "x-kubernetes-embedded-resource",
          "x-kubernetes-list-type",
          "x-kubernetes-list-map-keys",
          "x-kubernetes-map-type");

  private final Map<String, JsonNode> schemasByApiVersionKind;
  private final CelRules cel = new CelRules();

  private CrdValidator(Map<String, JsonNode> schemasByApiVersionKind) {
    this.schemasByApiVersionKind = schemasByApiVersionKind;
  }

  /** Loads every CRD ({@code *.yml} / {@code *.yaml}) in a directory. */
  public static CrdValidator fromDirectory(Path dir) {
    Map<String, JsonNode> schemas = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (!(name.endsWith(".yml") || name.endsWith(".yaml"))) {
          continue;
        }
        JsonNode crd = YAML.readTree(file.toFile());
        if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
          continue;
        }
        String group = crd.path("spec").path("group").asText();
        String kind = crd.path("spec").path("names").path("kind").asText();
        for (JsonNode version : crd.path("spec").path("versions")) {
          schemas.put(
              group + "/" + version.path("name").asText() + "/" + kind,
              version.path("schema").path("openAPIV3Schema"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read CRDs from " + dir, e);
    }
    if (schemas.isEmpty()) {
      throw new IllegalArgumentException("no CustomResourceDefinition found in " + dir);
    }
    return new CrdValidator(schemas);
  }

  /** Whether a CRD for this apiVersion and kind was loaded. */
  public boolean knows(String apiVersion, String kind) {
    return schemasByApiVersionKind.containsKey(apiVersion + "/" + kind);
  }

  /** Validates a new object; returns the defaulted object or the errors. */
  public Result validateCreate(JsonNode object) {
    return validate(object, null);
  }

  /** Validates an update; transition rules (oldSelf) see {@code oldObject}. */
  public Result validateUpdate(JsonNode object, JsonNode oldObject) {
    return validate(object, oldObject);
  }

  private Result validate(JsonNode object, JsonNode oldObject) {
    String apiVersion = object.path("apiVersion").asText();
    String kind = object.path("kind").asText();
    JsonNode schema = schemasByApiVersionKind.get(apiVersion + "/" + kind);
    List<String> errors = new ArrayList<>();
    if (schema == null) {
      errors.add("no matches for kind \"" + kind + "\" in version \"" + apiVersion + "\"");
      return new Result(object, errors);
    }
    ObjectNode copy = object.deepCopy();
    String name = copy.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      errors.add("metadata.name: Required value: name or generateName is required");
    } else if (!DNS_SUBDOMAIN.matcher(name).matches() || name.length() > 253) {
      errors.add(
          "metadata.name: Invalid value: \""
              + name
              + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
              + " characters, '-' or '.', and must start and end with an alphanumeric character");
    }
    applyDefaults(copy, schema);
    walk(copy, oldObject, schema, "", errors, true);
    return new Result(copy, errors);
  }

  private void applyDefaults(JsonNode node, JsonNode schema) {
    if (node instanceof ObjectNode object) {
      JsonNode properties = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        JsonNode child = object.get(property.getKey());
        if ((child == null || child.isNull()) && property.getValue().has("default")) {
          object.set(property.getKey(), property.getValue().get("default").deepCopy());
        }
        child = object.get(property.getKey());
        if (child != null) {
          applyDefaults(child, property.getValue());
        }
      }
      JsonNode additional = schema.path("additionalProperties");
      if (additional.isObject()) {
        object.fields().forEachRemaining(e -> applyDefaults(e.getValue(), additional));
      }
    } else if (node instanceof ArrayNode array && schema.has("items")) {
      array.forEach(item -> applyDefaults(item, schema.get("items")));
    }
  }

  private void walk(
      JsonNode node,
      JsonNode old,
      JsonNode schema,
      String path,
      List<String> errors,
      boolean root) {
    schema
        .fieldNames()
        .forEachRemaining(
            keyword -> {
              if (!KNOWN_KEYWORDS.contains(keyword)) {
                throw new IllegalStateException(
                    "schema keyword '" + keyword + "' at " + path + " is not implemented");
              }
            });
    if (node.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        errors.add(path + ": Invalid value: \"null\": " + path + " in body must not be null");
      }
      return;
    }
    if (!checkType(node, schema, path, errors)) {
      return;
    }
    if (node.isObject()) {
      walkObject((ObjectNode) node, old, schema, path, errors, root);
    } else if (node.isArray()) {
      walkArray((ArrayNode) node, old, schema, path, errors);
    } else {
      checkScalar(node, schema, path, errors);
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      cel.check(rule, node, old, path, errors);
    }
  }

  private void walkObject(
      ObjectNode node,
      JsonNode old,
      JsonNode schema,
      String path,
      List<String> errors,
      boolean root) {
    JsonNode properties = schema.path("properties");
    for (JsonNode required : schema.path("required")) {
      if (!node.has(required.asText()) || node.get(required.asText()).isNull()) {
        errors.add(join(path, required.asText()) + ": Required value");
      }
    }
    boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    JsonNode additional = schema.get("additionalProperties");
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      String childPath = join(path, key);
      JsonNode oldChild = old == null ? null : old.get(key);
      if (root && (key.equals("apiVersion") || key.equals("kind") || key.equals("metadata"))) {
        continue;
      }
      if (properties.has(key)) {
        walk(field.getValue(), oldChild, properties.get(key), childPath, errors, false);
      } else if (additional != null && additional.isObject()) {
        walk(field.getValue(), oldChild, additional, childPath, errors, false);
      } else if (!preserveUnknown && !(additional != null && additional.asBoolean(false))) {
        errors.add(childPath + ": unknown field \"" + key + "\": field not declared in schema");
      }
    }
  }

  private void walkArray(
      ArrayNode node, JsonNode old, JsonNode schema, String path, List<String> errors) {
    if (schema.has("minItems") && node.size() < schema.get("minItems").asInt()) {
      errors.add(
          path
              + ": Invalid value: "
              + node.size()
              + ": "
              + path
              + " in body should have at least "
              + schema.get("minItems").asInt()
              + " items");
    }
    if (schema.has("maxItems") && node.size() > schema.get("maxItems").asInt()) {
      errors.add(
          path
              + ": Too many: "
              + node.size()
              + ": must have at most "
              + schema.get("maxItems").asInt()
              + " items");
    }
    JsonNode items = schema.get("items");
    if (items != null) {
      for (int i = 0; i < node.size(); i++) {
        // Transition rules on list items need list-type=map keys to correlate; ours have none.
        walk(node.get(i), null, items, path + "[" + i + "]", errors, false);
      }
    }
  }

  private void checkScalar(JsonNode node, JsonNode schema, String path, List<String> errors) {
    if (schema.has("enum")) {
      boolean allowed = false;
      List<String> supported = new ArrayList<>();
      for (JsonNode value : schema.get("enum")) {
        supported.add(value.toString());
        allowed |= value.equals(node);
      }
      if (!allowed) {
        errors.add(
            path
                + ": Unsupported value: "
                + node
                + ": supported values: "
                + String.join(", ", supported));
      }
    }
    if (node.isTextual()) {
      String text = node.asText();
      if (schema.has("pattern")
          && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
        errors.add(
            path
                + ": Invalid value: "
                + node
                + ": "
                + path
                + " in body should match '"
                + schema.get("pattern").asText()
                + "'");
      }
      if (schema.has("minLength") && text.length() < schema.get("minLength").asInt()) {
        errors.add(
            path
                + ": Invalid value: "
                + node
                + ": "
                + path
                + " in body should be at least "
                + schema.get("minLength").asInt()
                + " chars long");
      }
      if (schema.has("maxLength") && text.length() > schema.get("maxLength").asInt()) {
        errors.add(path + ": Too long: may not be longer than " + schema.get("maxLength").asInt());
      }
    }
    if (node.isNumber()) {
      if (schema.has("minimum") && node.asDouble() < schema.get("minimum").asDouble()) {
        errors.add(
            path
                + ": Invalid value: "
                + node
                + ": "
                + path
                + " in body should be greater than or equal to "
                + formatNumber(schema.get("minimum")));
      }
      if (schema.has("maximum") && node.asDouble() > schema.get("maximum").asDouble()) {
        errors.add(
            path
                + ": Invalid value: "
                + node
                + ": "
                + path
                + " in body should be less than or equal to "
                + formatNumber(schema.get("maximum")));
      }
    }
  }

  private static String formatNumber(JsonNode number) {
    double value = number.asDouble();
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static boolean checkType(
      JsonNode node, JsonNode schema, String path, List<String> errors) {
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (node.isIntegralNumber() || node.isTextual()) {
        return true;
      }
      errors.add(path + ": Invalid value: " + node + ": must be an integer or a string");
      return false;
    }
    String type = schema.path("type").asText("");
    boolean ok =
        switch (type) {
          case "" -> true;
          case "object" -> node.isObject();
          case "array" -> node.isArray();
          case "string" -> node.isTextual();
          case "integer" -> node.isIntegralNumber();
          case "number" -> node.isNumber();
          case "boolean" -> node.isBoolean();
          default -> throw new IllegalStateException("schema type '" + type + "' at " + path);
        };
    if (!ok) {
      String actual =
          node.isObject()
              ? "object"
              : node.isArray()
                  ? "array"
                  : node.isTextual()
                      ? "string"
                      : node.isIntegralNumber()
                          ? "integer"
                          : node.isNumber() ? "number" : node.isBoolean() ? "boolean" : "null";
      errors.add(
          path
              + ": Invalid value: \""
              + actual
              + "\": "
              + path
              + " in body must be of type "
              + type
              + ": \""
              + actual
              + "\"");
    }
    return ok;
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Reads a (possibly multi-document) YAML file into its documents. */
  public static List<JsonNode> readDocuments(Path file) {
    try {
      List<JsonNode> documents = new ArrayList<>();
      try (var parser = YAML.getFactory().createParser(file.toFile())) {
        var it = YAML.readValues(parser, JsonNode.class);
        while (it.hasNext()) {
          JsonNode document = it.next();
          if (document != null && !document.isNull() && !document.isMissingNode()) {
            documents.add(document);
          }
        }
      }
      return documents;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Parses one YAML document. */
  public static JsonNode readYaml(String yaml) {
    try {
      JsonNode node = YAML.readTree(yaml);
      return node == null ? JsonNodeFactory.instance.objectNode() : node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The outcome of a validation: the object after defaulting, and the errors. */
  public record Result(JsonNode object, List<String> errors) {
    public boolean valid() {
      return errors.isEmpty();
    }
  }
}
