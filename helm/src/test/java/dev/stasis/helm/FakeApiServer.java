package dev.stasis.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The few API-server answers Helm's {@code lookup} needs: discovery of the core group and GET of
 * one Secret. The embedded Helm resolves lookups against the cluster of $KUBECONFIG even while
 * templating, so the module's surefire configuration points KUBECONFIG at a file this server
 * writes; no test ever reaches a real cluster, and tests can put a Secret "in the cluster" to check
 * what an upgrade does with it.
 */
final class FakeApiServer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeApiServer instance;

  private final HttpServer server;
  private final Map<String, JsonNode> secrets = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private FakeApiServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The server, started and named in $KUBECONFIG on first use. */
  static synchronized FakeApiServer get() {
    if (instance == null) {
      String kubeconfig = System.getenv("KUBECONFIG");
      if (kubeconfig == null || kubeconfig.isBlank()) {
        throw new IllegalStateException(
            "KUBECONFIG is not set: run the tests through Maven (helm/pom.xml sets it), so that"
                + " Helm's lookup cannot reach a real cluster");
      }
      try {
        instance = new FakeApiServer();
        Path file = Path.of(kubeconfig);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(
            file,
            """
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster:
                  server: http://127.0.0.1:%d
            contexts:
              - name: fake
                context: {cluster: fake, user: fake}
            users:
              - name: fake
                user: {token: fake}
            current-context: fake
            """
                .formatted(instance.server.getAddress().getPort()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  void putSecret(String namespace, String name, JsonNode secret) {
    secrets.put(namespace + "/" + name, secret);
  }

  void clear() {
    secrets.clear();
    requests.clear();
  }

  List<String> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.add(exchange.getRequestMethod() + " " + path);
    if (!exchange.getRequestMethod().equals("GET")) {
      reply(exchange, 405, status(405, "MethodNotAllowed", "the fake API server is read-only"));
      return;
    }
    if (path.equals("/api")) {
      reply(
          exchange,
          200,
          Map.of(
              "kind",
              "APIVersions",
              "versions",
              List.of("v1"),
              "serverAddressByClientCIDRs",
              List.of()));
    } else if (path.equals("/apis")) {
      reply(exchange, 200, Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", List.of()));
    } else if (path.equals("/api/v1")) {
      reply(
          exchange,
          200,
          Map.of(
              "kind",
              "APIResourceList",
              "groupVersion",
              "v1",
              "resources",
              List.of(
                  Map.of(
                      "name",
                      "secrets",
                      "singularName",
                      "secret",
                      "namespaced",
                      true,
                      "kind",
                      "Secret",
                      "verbs",
                      List.of("get", "list")))));
    } else if (path.matches("/api/v1/namespaces/[^/]+/secrets/[^/]+")) {
      String[] parts = path.split("/");
      JsonNode secret = secrets.get(parts[4] + "/" + parts[6]);
      if (secret == null) {
        reply(exchange, 404, status(404, "NotFound", "secrets \"" + parts[6] + "\" not found"));
      } else {
        reply(exchange, 200, secret);
      }
    } else {
      reply(exchange, 404, status(404, "NotFound", "the server could not find " + path));
    }
  }

  private static Map<String, Object> status(int code, String reason, String message) {
    return Map.of(
        "kind",
        "Status",
        "apiVersion",
        "v1",
        "status",
        "Failure",
        "code",
        code,
        "reason",
        reason,
        "message",
        message);
  }

  private static void reply(HttpExchange exchange, int code, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
