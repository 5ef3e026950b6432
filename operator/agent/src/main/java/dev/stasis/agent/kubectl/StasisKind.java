package dev.stasis.agent.kubectl;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.Restore;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;

/**
 * The two kinds the plugin creates and waits for, read as the API server returns them (generic
 * resources, so that {@code -o json} prints every field, known to this version or not): their
 * phase, when they are done, how far they have come and why they failed.
 */
enum StasisKind {
  CHECKPOINT("checkpoint", Checkpoint.class, "Completed"),
  RESTORE("restore", Restore.class, "Running");

  /** Lower case, as on the command line and in {@code checkpoint.stasis.dev/NAME}. */
  final String word;

  final ResourceDefinitionContext context;

  /** The phase in which a --wait ends with exit code 0. */
  final String succeeded;

  StasisKind(String word, Class<?> type, String succeeded) {
    this.word = word;
    @SuppressWarnings({"unchecked", "rawtypes"})
    ResourceDefinitionContext c = ResourceDefinitionContext.fromResourceType((Class) type);
    this.context = c;
    this.succeeded = succeeded;
  }

  static StasisKind of(String word) {
    for (StasisKind k : values()) {
      if (k.word.equalsIgnoreCase(word)
          || k.context.getKind().equalsIgnoreCase(word)
          || k.context.getPlural().equalsIgnoreCase(word)) {
        return k;
      }
    }
    throw new PluginException(
        ExitCode.USAGE, "unknown kind '" + word + "': use checkpoint or restore");
  }

  String kind() {
    return context.getKind();
  }

  MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      in(KubernetesClient client) {
    return client.genericKubernetesResources(context);
  }

  /** {@code checkpoint.stasis.dev/NAME}, as kubectl names an object in its messages. */
  String ref(String name) {
    return word + "." + context.getGroup() + "/" + name;
  }

  static String phase(GenericKubernetesResource r) {
    return text(r, "status", "phase");
  }

  boolean isFinal(GenericKubernetesResource r) {
    String p = phase(r);
    return succeeded.equals(p) || "Failed".equals(p);
  }

  boolean hasFailed(GenericKubernetesResource r) {
    return "Failed".equals(phase(r));
  }

  /** bytesDone and totalBytes (-1 while unknown), or null when the status has no progress. */
  static long[] progress(GenericKubernetesResource r) {
    Object p = r.get("status", "progress");
    if (!(p instanceof Map<?, ?> m) || !(m.get("bytesDone") instanceof Number done)) {
      return null;
    }
    return new long[] {
      done.longValue(), m.get("totalBytes") instanceof Number t ? t.longValue() : -1
    };
  }

  /** Why it failed: the Ready condition's reason and the status message. */
  static String failure(GenericKubernetesResource r) {
    String reason = "";
    String message = text(r, "status", "message");
    for (Map<String, Object> c : conditions(r)) {
      if ("Ready".equals(c.get("type"))) {
        reason = String.valueOf(c.getOrDefault("reason", ""));
        if (message.isEmpty()) {
          message = String.valueOf(c.getOrDefault("message", ""));
        }
      }
    }
    return reason.isEmpty() ? message : message.isEmpty() ? reason : reason + ": " + message;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> conditions(GenericKubernetesResource r) {
    Object c = r.get("status", "conditions");
    return c instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
  }

  /** A field as text, "" when absent. */
  static String text(GenericKubernetesResource r, Object... path) {
    Object v = r.get(path);
    return v == null ? "" : String.valueOf(v);
  }
}
