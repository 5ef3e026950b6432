package dev.stasis.testsupport.crd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates {@code x-kubernetes-validations} rules with Google's CEL for Java, binding {@code self}
 * (and {@code oldSelf} on update) as the API server does. Kubernetes' own CEL library functions
 * (quantity, url, ...) are not available here; our CRDs use only standard CEL.
 */
final class CelRules {
  private final Cel cel =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .build();
  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  void check(JsonNode rule, JsonNode self, JsonNode oldSelf, String path, List<String> errors) {
    String expression = rule.path("rule").asText();
    boolean transition = expression.contains("oldSelf");
    if (transition && oldSelf == null) {
      return; // transition rules only run on update, when the old value exists
    }
    Map<String, Object> variables = new HashMap<>();
    variables.put("self", toCel(self));
    if (transition) {
      variables.put("oldSelf", toCel(oldSelf));
    }
    Object result;
    try {
      result = program(expression).eval(variables);
    } catch (CelEvaluationException e) {
      errors.add(path + ": Invalid value: \"object\": rule evaluation failed: " + e.getMessage());
      return;
    }
    if (!Boolean.TRUE.equals(result)) {
      String fieldPath = path + rule.path("fieldPath").asText("");
      String message =
          rule.has("message") ? rule.get("message").asText() : "failed rule: " + expression;
      errors.add(fieldPath + ": Invalid value: \"" + typeName(self) + "\": " + message);
    }
  }

  private CelRuntime.Program program(String expression) {
    return programs.computeIfAbsent(
        expression,
        e -> {
          try {
            CelAbstractSyntaxTree ast = cel.compile(e).getAst();
            return cel.createProgram(ast);
          } catch (CelValidationException | CelEvaluationException ex) {
            throw new IllegalStateException("CRD rule does not compile: " + e, ex);
          }
        });
  }

  private static String typeName(JsonNode node) {
    if (node.isObject()) {
      return "object";
    } else if (node.isArray()) {
      return "array";
    } else if (node.isTextual()) {
      return "string";
    } else if (node.isIntegralNumber()) {
      return "integer";
    } else if (node.isNumber()) {
      return "number";
    }
    return node.isBoolean() ? "boolean" : "null";
  }

  /** JSON to CEL values: objects become maps, integers longs, numbers doubles. */
  static Object toCel(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!field.getValue().isNull()) {
          map.put(field.getKey(), toCel(field.getValue()));
        }
      }
      return map;
    } else if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      node.forEach(item -> list.add(toCel(item)));
      return list;
    } else if (node.isIntegralNumber()) {
      return node.asLong();
    } else if (node.isNumber()) {
      return node.asDouble();
    } else if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }
}
