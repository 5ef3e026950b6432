package dev.stasis.helm;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fields a fabric8 model object did not recognise. The models accept unknown fields into
 * "additionalProperties" instead of failing, so a misspelt field (readOnlyRootFileSystem) would
 * parse; this walks the object graph and names every such field with its path.
 */
final class UnknownFields {
  private UnknownFields() {}

  static List<String> of(Object model) {
    List<String> found = new ArrayList<>();
    walk(model, "", found, new IdentityHashMap<>());
    return found;
  }

  private static void walk(
      Object node, String path, List<String> found, Map<Object, Boolean> seen) {
    if (node == null || seen.put(node, Boolean.TRUE) != null) {
      return;
    }
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", found, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        walk(e.getValue(), path + "." + e.getKey(), found, seen);
      }
      return;
    }
    Class<?> type = node.getClass();
    if (!type.getName().startsWith("io.fabric8.") && !type.getName().startsWith("dev.stasis.")) {
      return;
    }
    for (Method method : type.getMethods()) {
      if (method.getParameterCount() != 0
          || Modifier.isStatic(method.getModifiers())
          || !method.getName().startsWith("get")
          || method.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = method.invoke(node);
      } catch (ReflectiveOperationException | RuntimeException e) {
        continue;
      }
      String property = decapitalize(method.getName().substring(3));
      if (method.getName().equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
        for (Object key : extra.keySet()) {
          found.add(path + "." + key);
        }
      } else if (!type.getName()
          .equals("io.fabric8.kubernetes.api.model.GenericKubernetesResource")) {
        walk(value, path + "." + property, found, seen);
      }
    }
  }

  private static String decapitalize(String name) {
    return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }
}
