package dev.stasis.testsupport.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API server's {@code Status} answers: a success, a failure, a 422 with its causes. */
final class ApiStatus {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GROUP = "stasis.dev";

  private ApiStatus() {}

  /** {@code status: Success}, as a real server answers a Binding. */
  static MockResponse success(int code) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.put("metadata", Map.of());
    status.put("status", "Success");
    status.put("code", code);
    return respond(code, status);
  }

  /** 422 with the API server's message and causes, one per field error. */
  static MockResponse invalid(JsonNode object, List<String> errors) {
    String kind = object.path("kind").asText();
    String name = object.path("metadata").path("name").asText();
    String detail = errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
    List<Map<String, String>> causes = new ArrayList<>();
    for (String error : errors) {
      int colon = error.indexOf(": ");
      String field = colon < 0 ? "" : error.substring(0, colon);
      String message = colon < 0 ? error : error.substring(colon + 2);
      String reason =
          message.startsWith("Required value")
              ? "FieldValueRequired"
              : message.startsWith("Unsupported value")
                  ? "FieldValueNotSupported"
                  : message.startsWith("unknown field")
                      ? "FieldValueTypeInvalid"
                      : "FieldValueInvalid";
      Map<String, String> cause = new LinkedHashMap<>();
      cause.put("reason", reason);
      cause.put("message", message);
      cause.put("field", field);
      causes.add(cause);
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("name", name);
    details.put("group", GROUP);
    details.put("kind", kind);
    details.put("causes", causes);
    Map<String, Object> status =
        statusBody(422, "Invalid", kind + "." + GROUP + " \"" + name + "\" is invalid: " + detail);
    status.put("details", details);
    return respond(422, status);
  }

  static MockResponse failure(int code, String reason, String message) {
    return respond(code, statusBody(code, reason, message));
  }

  private static Map<String, Object> statusBody(int code, String reason, String message) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.put("metadata", Map.of());
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    return status;
  }

  private static MockResponse respond(int code, Map<String, Object> body) {
    try {
      return new MockResponse().setResponseCode(code).setBody(JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
