package dev.stasis.controller.status;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes a reconciler's status: the first one of a new resource itself, with a JSON merge patch of
 * its status subresource; every later one through JOSDK's status patch, sending only name,
 * namespace and status so that no spec is ever written.
 *
 * <p>JOSDK patches status with a JSON patch computed against the resource it read, and our CR
 * classes read a missing status as an empty one: the patch then says "add /status/phase" to an
 * object that has no /status, which the API server refuses. Once a status exists, JOSDK's patch
 * works, so only the first write goes this way. (Server-side apply would avoid this, but JOSDK's
 * server-side apply of the finalizer sends the spec's Java defaults and would reset user fields.)
 */
public final class StatusWriter {
  private final KubernetesClient client;

  public StatusWriter(KubernetesClient client) {
    this.client = client;
  }

  /**
   * @param first whether the resource has no status yet (no phase)
   */
  public <S, R extends CustomResource<?, S>> UpdateControl<R> update(
      R resource, boolean first, S status, Supplier<R> newResource) {
    if (first) {
      writeFirst(resource, status);
      return UpdateControl.noUpdate();
    }
    return UpdateControl.patchStatus(patch(resource, status, newResource));
  }

  /** As {@link #update}, from {@code updateErrorStatus}. */
  public <S, R extends CustomResource<?, S>> ErrorStatusUpdateControl<R> updateOnError(
      R resource, boolean first, S status, Supplier<R> newResource) {
    if (first) {
      writeFirst(resource, status);
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(patch(resource, status, newResource));
  }

  private void writeFirst(CustomResource<?, ?> resource, Object status) {
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

  /** The object a status patch sends: only name, namespace and status. */
  private static <S, R extends CustomResource<?, S>> R patch(
      R resource, S status, Supplier<R> newResource) {
    R patch = newResource.get();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .build());
    patch.setSpec(null);
    patch.setStatus(status);
    return patch;
  }
}
