package dev.stasis.controller.workload;

import dev.stasis.controller.util.Names;
import dev.stasis.controller.util.OwnerReferences;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The per-pod resources of a workload checkpoint or restore (its children): their names, the
 * ownerReference and label that tie them to the workload resource, creating them once and finding
 * them again. A child is named {@code <parent>-<pod>}, or, when that is longer than a name may be
 * (253), cut and given a suffix derived from both names, so that a retried step picks the same one.
 */
final class WorkloadChildren {
  static final int MAX_NAME = 253;

  private final KubernetesClient client;

  WorkloadChildren(KubernetesClient client) {
    this.client = client;
  }

  /** The child of {@code parent} for {@code pod}: deterministic, at most 253 chars. */
  static String name(String parent, String pod) {
    String plain = parent + "-" + pod;
    return plain.length() <= MAX_NAME
        ? plain
        : Names.withSuffix(plain, Names.suffix(parent + "/" + pod), MAX_NAME);
  }

  /** Metadata owned by {@code parent} (controller, blocking its deletion), labelled with it. */
  static void own(HasMetadata child, HasMetadata parent, String label) {
    child.getMetadata().setNamespace(parent.getMetadata().getNamespace());
    child.getMetadata().setOwnerReferences(List.of(OwnerReferences.controller(parent, true)));
    child.getMetadata().setLabels(Map.of(label, Names.labelValue(parent.getMetadata().getName())));
  }

  /** Creates the child unless it exists already (a retried step); returns what is stored. */
  <T extends HasMetadata> T createOnce(T child) {
    try {
      return client.resource(child).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      return client.resource(child).get();
    }
  }

  /** The child of {@code parent} of that name; empty when gone (or not the parent's). */
  <T extends HasMetadata> Optional<T> named(HasMetadata parent, Class<T> type, String name) {
    return Optional.ofNullable(
            client
                .resources(type)
                .inNamespace(parent.getMetadata().getNamespace())
                .withName(name)
                .get())
        .filter(c -> ownedBy(c, parent));
  }

  private static boolean ownedBy(HasMetadata child, HasMetadata parent) {
    return child.getMetadata().getOwnerReferences() != null
        && child.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> parent.getMetadata().getUid().equals(o.getUid()));
  }
}
