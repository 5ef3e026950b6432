package dev.stasis.agent.kubectl;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;

/** New Stasis objects as the plugin creates them. */
final class Objects {
  private Objects() {}

  static GenericKubernetesResource create(
      StasisKind kind, String namespace, String name, Map<String, Object> spec) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(kind.context.getGroup() + "/" + kind.context.getVersion());
    r.setKind(kind.kind());
    r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    r.setAdditionalProperty("spec", spec);
    return r;
  }
}
