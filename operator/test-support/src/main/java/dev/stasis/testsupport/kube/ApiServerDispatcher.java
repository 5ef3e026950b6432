package dev.stasis.testsupport.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stasis.testsupport.crd.CrdValidator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's CRUD dispatcher with what a real API server adds and Stasis depends on:
 *
 * <ul>
 *   <li>admission for the {@code stasis.dev} kinds: every create, update and patch (of the resource
 *       or its status) is defaulted and validated against the CRD schema and CEL rules by {@link
 *       CrdValidator}, transition rules included, and refused with 422 and the API server's message
 *       ({@code Checkpoint.stasis.dev "c" is invalid: spec.dir: ...}) when invalid;
 *   <li>writes of a status subresource keep only the status, writes of the resource keep the stored
 *       status, as for any CRD with {@code subresources.status};
 *   <li>server-side apply ({@code application/apply-patch+yaml}) of a resource that does not exist
 *       creates it, as {@code kubectl apply --server-side} does (an existing one is merged: field
 *       ownership is not modelled);
 *   <li>TokenReviews, answered by {@link TokenReviews};
 *   <li>Bindings, which set a pod's node as the scheduler does;
 *   <li>a random UID for every object created, as a real API server gives (fabric8 numbers them);
 *   <li>SelfSubjectRulesReviews, answered with what the chart's RBAC grants the operator on Leases
 *       (JOSDK asks before it campaigns for leadership).
 * </ul>
 *
 * Writes are serialized, so that a patch is applied to the object it was validated against.
 *
 * <p>Longer than our other classes on purpose: it is one dispatcher whose handlers (create, update,
 * patch, delete) share the lock that serializes writes and the stored-object view; the answers it
 * builds are {@link ApiStatus}.
 */
final class ApiServerDispatcher extends KubernetesCrudDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String GROUP = "stasis.dev";
  private static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
  private static final Pattern BINDINGS = Pattern.compile("/api/v1/namespaces/([^/]+)/bindings");
  private static final String RULES_REVIEWS =
      "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

  /** The rules the chart's RBAC grants the operator on Leases, as a SelfSubjectRulesReview. */
  private static final String LEASE_RULES =
      "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\","
          + "\"status\":{\"incomplete\":false,\"nonResourceRules\":[],\"resourceRules\":"
          + "[{\"apiGroups\":[\"coordination.k8s.io\"],\"resources\":[\"leases\"],"
          + "\"verbs\":[\"get\",\"list\",\"watch\",\"create\",\"update\",\"patch\"]}]}}";

  private final CrdValidator validator;
  private final TokenReviews tokenReviews;
  private final Object writes = new Object();

  /** The UID the create under way was given in place of fabric8's (guarded by writes). */
  private Map.Entry<String, String> createdUid;

  ApiServerDispatcher(CrdValidator validator, TokenReviews tokenReviews) {
    this.validator = validator;
    this.tokenReviews = tokenReviews;
  }

  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    synchronized (writes) {
      createdUid = null;
      MockResponse response = create(request);
      if (createdUid != null && response.code() == 201) {
        String body = response.getBody().readUtf8();
        response.setBody(body.replace(createdUid.getKey(), createdUid.getValue()));
      }
      createdUid = null;
      return response;
    }
  }

  /**
   * fabric8 numbers UIDs from zero for the whole JVM; a real API server gives every object a random
   * one, so that a new object of an old name never looks like the old object. The create stores it
   * here, and {@link #handleCreate} answers with it.
   */
  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    if (oldAttributes == null && resource != null && newState != null) {
      String sequential = resource.getMetadata().getUid();
      String random = UUID.randomUUID().toString();
      resource.getMetadata().setUid(random);
      newState = Serialization.asJson(resource);
      createdUid = Map.entry(sequential, random);
    }
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
  }

  private MockResponse create(RecordedRequest request) {
    String path = pathOf(request);
    Matcher binding = BINDINGS.matcher(path);
    if (binding.matches()) {
      return bind(request, binding.group(1));
    }
    if (path.equals(TOKEN_REVIEWS)) {
      return tokenReview(request);
    }
    if (path.equals(RULES_REVIEWS)) {
      return new MockResponse().setResponseCode(201).setBody(LEASE_RULES);
    }
    // handleCreate holds the write lock.
    try {
      if (!isStasis(path) || isStatus(path)) {
        return super.handleCreate(request);
      }
      JsonNode body = JSON.readTree(body(request));
      CrdValidator.Result result = validator.validateCreate(body);
      if (!result.valid()) {
        return ApiStatus.invalid(body, result.errors());
      }
      return super.handleCreate(withBody(request, HttpMethod.POST, path, result.object()));
    } catch (IOException e) {
      return ApiStatus.failure(
          400, "BadRequest", "the request body is not JSON: " + e.getMessage());
    } catch (RuntimeException | LinkageError e) {
      // Say so rather than leave the request unanswered (the client would only see a timeout).
      return ApiStatus.failure(500, "InternalError", "validation failed: " + e);
    }
  }

  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    String path = pathOf(request);
    synchronized (writes) {
      if (!isStasis(path)) {
        return super.handleUpdate(request);
      }
      try {
        JsonNode stored = stored(resourcePath(path));
        if (stored == null) {
          return super.handleUpdate(request);
        }
        JsonNode candidate = candidate(stored, JSON.readTree(body(request)), path);
        CrdValidator.Result result = validator.validateUpdate(candidate, stored);
        if (!result.valid()) {
          return ApiStatus.invalid(candidate, result.errors());
        }
        return super.handleUpdate(withBody(request, HttpMethod.PUT, path, result.object()));
      } catch (IOException e) {
        return ApiStatus.failure(
            400, "BadRequest", "the request body is not JSON: " + e.getMessage());
      }
    }
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    String path = pathOf(request);
    String type = request.getHeader("Content-Type");
    type = type == null ? "" : type;
    synchronized (writes) {
      try {
        JsonNode stored = stored(resourcePath(path));
        if (stored == null) {
          if (type.contains("apply-patch") && !isStatus(path)) {
            return applyCreates(request, path);
          }
          return super.handlePatch(request);
        }
        if (!isStasis(path)) {
          return type.contains("apply-patch")
              ? super.handlePatch(asMergePatch(request, path))
              : super.handlePatch(request);
        }
        JsonNode patched = patched(stored, body(request), type);
        JsonNode candidate = candidate(stored, patched, path);
        CrdValidator.Result result = validator.validateUpdate(candidate, stored);
        if (!result.valid()) {
          return ApiStatus.invalid(candidate, result.errors());
        }
        if (isStatus(path)) {
          // fabric8's own handling of a JSON patch of a status does not answer when the patch also
          // names other fields (JOSDK's do): store the status it results in, as the API server.
          return super.handleUpdate(withBody(request, HttpMethod.PUT, path, result.object()));
        }
        return type.contains("apply-patch")
            ? super.handlePatch(asMergePatch(request, path))
            : super.handlePatch(request);
      } catch (IOException | RuntimeException e) {
        return ApiStatus.failure(422, "Invalid", "the patch cannot be applied: " + e.getMessage());
      }
    }
  }

  @Override
  public MockResponse handleDelete(String path) {
    synchronized (writes) {
      return super.handleDelete(path);
    }
  }

  /**
   * A Binding, as the scheduler sets a pod's node: the pod gets {@code spec.nodeName}, once (a
   * bound pod answers 409, and no write of the pod itself may change its node on a real server).
   */
  private MockResponse bind(RecordedRequest request, String namespace) {
    try {
      JsonNode body = JSON.readTree(body(request));
      String pod = body.path("metadata").path("name").asText();
      String node = body.path("target").path("name").asText();
      String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + pod;
      JsonNode stored = stored(podPath);
      if (stored == null) {
        return ApiStatus.failure(404, "NotFound", "pods \"" + pod + "\" not found");
      }
      String bound = stored.path("spec").path("nodeName").asText();
      if (!bound.isEmpty()) {
        return ApiStatus.failure(
            409, "Conflict", "pod " + pod + " is already assigned to node \"" + bound + "\"");
      }
      MockResponse patched =
          super.handlePatch(
              new RecordedRequest(
                  "PATCH " + podPath + " HTTP/1.1",
                  HttpMethod.PATCH,
                  podPath,
                  request
                      .getHeaders()
                      .newBuilder()
                      .set("Content-Type", "application/merge-patch+json")
                      .build(),
                  new Buffer(JSON.writeValueAsBytes(Map.of("spec", Map.of("nodeName", node))))));
      if (patched.code() != 200) {
        return patched;
      }
      return ApiStatus.success(201);
    } catch (IOException e) {
      return ApiStatus.failure(
          400, "BadRequest", "the request body is not JSON: " + e.getMessage());
    }
  }

  private MockResponse tokenReview(RecordedRequest request) {
    try {
      JsonNode body = JSON.readTree(body(request));
      return new MockResponse()
          .setResponseCode(201)
          .setBody(JSON.writeValueAsString(tokenReviews.review(body.path("spec"))));
    } catch (IOException e) {
      return ApiStatus.failure(
          400, "BadRequest", "the request body is not JSON: " + e.getMessage());
    }
  }

  /** Server-side apply of an object that does not exist yet: a create of it. */
  private MockResponse applyCreates(RecordedRequest request, String path) throws IOException {
    ObjectNode object = (ObjectNode) YAML.readTree(body(request));
    String[] parts = path.split("/");
    ObjectNode metadata = object.with("metadata");
    metadata.put("name", parts[parts.length - 1]);
    int ns = List.of(parts).indexOf("namespaces");
    if (ns > 0 && ns + 1 < parts.length - 2) {
      metadata.put("namespace", parts[ns + 1]);
    }
    String collection = path.substring(0, path.lastIndexOf('/'));
    return handleCreate(withBody(request, HttpMethod.POST, collection, object));
  }

  /** The request with its body turned from apply-patch YAML into a JSON merge patch. */
  private static RecordedRequest asMergePatch(RecordedRequest request, String path)
      throws IOException {
    JsonNode body = YAML.readTree(body(request));
    return new RecordedRequest(
        "PATCH " + path + " HTTP/1.1",
        HttpMethod.PATCH,
        path,
        request
            .getHeaders()
            .newBuilder()
            .set("Content-Type", "application/merge-patch+json")
            .build(),
        new Buffer(JSON.writeValueAsBytes(body)));
  }

  /** What a patch makes of the stored object. Strategic merge is treated as a merge patch. */
  private static JsonNode patched(JsonNode stored, String body, String type) throws IOException {
    if (type.contains("json-patch")) {
      return JsonPatch.apply(JSON.readTree(body), stored.deepCopy());
    }
    return mergePatch(stored.deepCopy(), YAML.readTree(body));
  }

  /** RFC 7386: objects merge recursively, null removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode out =
        target != null && target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
      }
    }
    return out;
  }

  /**
   * The object a write would store: a status write changes only the status, a write of the resource
   * everything but the status.
   */
  private static JsonNode candidate(JsonNode stored, JsonNode written, String path) {
    ObjectNode out;
    JsonNode status;
    if (isStatus(path)) {
      out = stored.deepCopy();
      status = written.get("status");
    } else {
      out = written.deepCopy();
      status = stored.get("status");
    }
    if (status == null || status.isNull()) {
      out.remove("status");
    } else {
      out.set("status", status.deepCopy());
    }
    return out;
  }

  private JsonNode stored(String resourcePath) throws IOException {
    MockResponse current = super.handleGet(resourcePath);
    if (current.code() != 200) {
      return null;
    }
    JsonNode node = JSON.readTree(current.getBody().readUtf8());
    return node.has("metadata") && node.has("kind") ? node : null;
  }

  private static RecordedRequest withBody(
      RecordedRequest request, HttpMethod method, String path, JsonNode body) throws IOException {
    return new RecordedRequest(
        method.name() + " " + path + " HTTP/1.1",
        method,
        path,
        request.getHeaders().newBuilder().set("Content-Type", "application/json").build(),
        new Buffer(JSON.writeValueAsBytes(body)));
  }

  /** The request's body, read without consuming it (fabric8's handlers read it again after us). */
  private static String body(RecordedRequest request) {
    return request.getBody() == null
        ? ""
        : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  private static String pathOf(RecordedRequest request) {
    return request.getPath().replaceFirst("\\?.*$", "");
  }

  private static boolean isStasis(String path) {
    return path.startsWith("/apis/" + GROUP + "/");
  }

  private static boolean isStatus(String path) {
    return path.endsWith("/status");
  }

  private static String resourcePath(String path) {
    return isStatus(path) ? path.substring(0, path.length() - "/status".length()) : path;
  }
}
