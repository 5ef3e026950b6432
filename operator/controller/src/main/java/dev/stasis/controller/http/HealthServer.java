package dev.stasis.controller.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operator's HTTP endpoints (port 8080 by default): {@code /healthz} (liveness: the operator's
 * informers and event sources are healthy), {@code /readyz} (the operator has started; a standby
 * replica waiting for the leader Lease is ready too, so that rollouts proceed) and {@code /metrics}
 * (Prometheus text format).
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  public HealthServer(
      int port,
      Supplier<String> liveness,
      BooleanSupplier readiness,
      PrometheusMeterRegistry registry)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "stasis-http");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/healthz",
        exchange -> {
          String problem = liveness.get();
          respond(
              exchange,
              problem == null ? 200 : 503,
              problem == null ? "ok\n" : problem + "\n",
              "text/plain");
        });
    server.createContext(
        "/readyz",
        exchange -> {
          boolean ready = readiness.getAsBoolean();
          respond(exchange, ready ? 200 : 503, ready ? "ok\n" : "starting\n", "text/plain");
        });
    server.createContext(
        "/metrics",
        exchange ->
            respond(exchange, 200, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int code, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
