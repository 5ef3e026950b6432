package dev.stasis.controller.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.testsupport.crd.CrdValidator;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The CRUD dispatcher with the API server's admission for our kinds: a created stasis.dev resource
 * is defaulted and validated against the CRD schema and CEL rules ({@link CrdValidator}); an
 * invalid one is refused with 422 and the API server's message, so nothing invalid reaches the
 * operator, as in a real cluster.
 */
final class ValidatingDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final CrdValidator validator;

  ValidatingDispatcher(CrdValidator validator) {
    this.validator = validator;
  }

  /**
   * A patch of a stasis.dev status subresource, applied as the API server does: the patch is
   * applied to the stored object and only the resulting status is kept (the mock server's own
   * handling does not answer when the patch also touches other fields, as JOSDK's status edits do).
   */
  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    String path = request.getPath().replaceFirst("\\?.*$", "");
    String type = request.getHeader("Content-Type");
    if (!path.startsWith("/apis/stasis.dev/")
        || !path.endsWith("/status")
        || type == null
        || !type.contains("json-patch")) {
      return super.handlePatch(request);
    }
    String patchBody = request.getUtf8Body();
    try {
      MockResponse current = super.handleGet(path.substring(0, path.length() - "/status".length()));
      if (!current.getStatus().contains(" 200")) {
        return current;
      }
      JsonNode stored = JSON.readTree(current.getBody().readUtf8());
      JsonNode patched =
          io.fabric8.zjsonpatch.JsonPatch.apply(JSON.readTree(patchBody), stored.deepCopy());
      com.fasterxml.jackson.databind.node.ObjectNode updated = stored.deepCopy();
      if (patched.has("status")) {
        updated.set("status", patched.get("status"));
      } else {
        updated.remove("status");
      }
      return super.handleUpdate(
          new RecordedRequest(
              "PUT " + path + " HTTP/1.1",
              io.fabric8.mockwebserver.dsl.HttpMethod.PUT,
              path,
              request.getHeaders().newBuilder().set("Content-Type", "application/json").build(),
              new Buffer(JSON.writeValueAsBytes(updated))));
    } catch (java.io.IOException | RuntimeException e) {
      return new MockResponse().setResponseCode(422).setBody(String.valueOf(e.getMessage()));
    }
  }

  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    if (request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
      // JOSDK checks, before it campaigns for the Lease, that it may use Leases: grant what the
      // chart's RBAC grants.
      return new MockResponse()
          .setResponseCode(201)
          .setBody(
              "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
                  + "\"status\":{\"incomplete\":false,\"nonResourceRules\":[],\"resourceRules\":"
                  + "[{\"apiGroups\":[\"coordination.k8s.io\"],\"resources\":[\"leases\"],"
                  + "\"verbs\":[\"get\",\"list\",\"watch\",\"create\",\"update\",\"patch\"]}]}}");
    }
    if (!request.getPath().startsWith("/apis/stasis.dev/")
        || request.getPath().contains("/status")) {
      return super.handleCreate(request);
    }
    try {
      JsonNode body = JSON.readTree(request.getUtf8Body());
      CrdValidator.Result result = validator.validateCreate(body);
      if (!result.valid()) {
        String kind = body.path("kind").asText();
        String name = body.path("metadata").path("name").asText();
        String message =
            kind + ".stasis.dev \"" + name + "\" is invalid: " + String.join(", ", result.errors());
        return new MockResponse()
            .setResponseCode(422)
            .setBody(
                JSON.writeValueAsString(
                    Map.of(
                        "kind", "Status",
                        "apiVersion", "v1",
                        "status", "Failure",
                        "reason", "Invalid",
                        "code", 422,
                        "message", message)));
      }
      byte[] defaulted = JSON.writeValueAsBytes(result.object());
      return super.handleCreate(
          new RecordedRequest(
              request.getRequestLine(),
              request.method(),
              request.getPath(),
              request.getHeaders(),
              new Buffer(defaulted)));
    } catch (java.io.IOException e) {
      return new MockResponse()
          .setResponseCode(400)
          .setBody(String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException | LinkageError e) {
      // Say so rather than leave the request unanswered (the client would only see a timeout).
      return new MockResponse()
          .setResponseCode(500)
          .setBody(("validation failed: " + e).getBytes(StandardCharsets.UTF_8));
    }
  }
}
