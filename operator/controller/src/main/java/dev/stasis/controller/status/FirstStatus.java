package dev.stasis.controller.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;

/**
 * Writes the first status of a new resource with a JSON merge patch of its status subresource.
 *
 * <p>JOSDK patches status with a JSON patch computed against the resource it read, and our CR
 * classes read a missing status as an empty one: the patch then says "add /status/phase" to an
 * object that has no /status, which the API server refuses. Once a status exists, JOSDK's patch
 * works, so only the first write goes this way. (Server-side apply would avoid this, but JOSDK's
 * server-side apply of the finalizer sends the spec's Java defaults and would reset user fields.)
 */
public final class FirstStatus {
  private FirstStatus() {}

  public static void write(KubernetesClient client, HasMetadata resource, Object status) {
    var resources = client.resources(resource.getClass());
    var named =
        resource.getMetadata().getNamespace() == null
            ? resources.withName(resource.getMetadata().getName())
            : resources
                .inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName());
    named
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }
}
