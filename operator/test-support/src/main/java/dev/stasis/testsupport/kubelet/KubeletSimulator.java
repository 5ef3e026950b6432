package dev.stasis.testsupport.kubelet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kubelet's checkpoint endpoint on loopback HTTPS: {@code POST
 * /checkpoint/{namespace}/{pod}/{container}?timeout=N}, answered the way the kubelet answers.
 *
 * <ul>
 *   <li>200 {@code {"items":["<dir>/checkpoint-<pod>_<ns>-<container>-<RFC3339>.tar"]}} and the
 *       archive written into the directory (the checkpointctl layout, see {@link
 *       CheckpointArchive});
 *   <li>401 without the expected bearer token, 403 for a token marked as lacking RBAC;
 *   <li>404 for an unknown pod or container, or for everything while the feature gate is off;
 *   <li>500 while the runtime is marked as unable to checkpoint, and 500 DeadlineExceeded when the
 *       configured delay is longer than the request's timeout.
 * </ul>
 *
 * <p>Slightly over our usual size: the kubelet endpoint, its authentication and the dump timing
 * live together, as in the kubelet; the archive layout is {@link CheckpointArchive}.
 */
public final class KubeletSimulator implements AutoCloseable {
  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX").withZone(ZoneOffset.UTC);

  private final HttpsServer server;
  private final ExecutorService executor;
  private final TestTls tls;
  private final Path dir;
  private final String token;
  private final Map<String, Map<String, String>> pods = new ConcurrentHashMap<>();
  private final Set<String> forbiddenTokens = ConcurrentHashMap.newKeySet();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object gate = new Object();
  private volatile boolean paused;
  private volatile boolean featureGate = true;
  private volatile boolean runtimeSupportsCheckpoint = true;
  private volatile Duration delay = Duration.ZERO;
  private volatile long pagesBytes = 1024 * 1024;
  private volatile String reportedDir;

  private KubeletSimulator(Path dir, String token) throws IOException {
    this.dir = dir;
    this.token = token;
    this.reportedDir = dir.toString();
    this.tls = TestTls.generate("kubelet");
    Files.createDirectories(dir);
    server = HttpsServer.create(new InetSocketAddress(TestTls.loopback(), 0), 16);
    server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "kubelet-simulator");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Starts a simulator that writes archives into {@code checkpointDir} and accepts {@code
   * bearerToken}.
   */
  public static KubeletSimulator start(Path checkpointDir, String bearerToken) throws IOException {
    return new KubeletSimulator(checkpointDir, bearerToken);
  }

  /** Declares a running pod and its containers (name to image). */
  public KubeletSimulator addPod(String namespace, String pod, Map<String, String> containers) {
    pods.put(namespace + "/" + pod, new ConcurrentHashMap<>(containers));
    return this;
  }

  public KubeletSimulator removePod(String namespace, String pod) {
    pods.remove(namespace + "/" + pod);
    return this;
  }

  /** Size of each archive's {@code pages-1.img}. */
  public KubeletSimulator pagesBytes(long bytes) {
    this.pagesBytes = bytes;
    return this;
  }

  /** Off: every request is 404, as with the ContainerCheckpoint feature gate disabled. */
  public KubeletSimulator featureGate(boolean enabled) {
    this.featureGate = enabled;
    return this;
  }

  /** False: 500, as with a runtime that has no checkpoint support (containerd before 2.1). */
  public KubeletSimulator runtimeSupportsCheckpoint(boolean supported) {
    this.runtimeSupportsCheckpoint = supported;
    return this;
  }

  /** How long a checkpoint takes. Longer than the request's ?timeout= gives DeadlineExceeded. */
  public KubeletSimulator delay(Duration d) {
    this.delay = d;
    return this;
  }

  /** A token that authenticates but lacks nodes/checkpoint RBAC: 403. */
  public KubeletSimulator forbidToken(String t) {
    forbiddenTokens.add(t);
    return this;
  }

  /** The directory named in responses (the host path); by default the real directory. */
  public KubeletSimulator reportedDir(String path) {
    this.reportedDir = path;
    return this;
  }

  /** Holds every checkpoint request (after it is counted) until {@link #resume()}. */
  public void pause() {
    paused = true;
  }

  public void resume() {
    synchronized (gate) {
      paused = false;
      gate.notifyAll();
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public URI baseUri() {
    return URI.create("https://" + host() + ":" + port());
  }

  /** The CA that signed the serving certificate. */
  public TestTls tls() {
    return tls;
  }

  public Path checkpointDir() {
    return dir;
  }

  /** Checkpoint requests received ({@code ns/pod/container}), whatever their answer. */
  public List<String> requests() {
    return new ArrayList<>(requests);
  }

  public int requestCount() {
    return requests.size();
  }

  /** Requests being handled right now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Archives currently in the checkpoint directory. */
  public List<Path> archives() throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("checkpoint-")).sorted().toList();
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String[] parts = path.split("/");
      if (parts.length != 5 || !parts[1].equals("checkpoint")) {
        send(ex, 404, "text/plain", "404 page not found\n");
        return;
      }
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String presented = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
      if (presented == null || (!presented.equals(token) && !forbiddenTokens.contains(presented))) {
        send(ex, 401, "text/plain", "Unauthorized\n");
        return;
      }
      String ns = parts[2];
      String pod = parts[3];
      String container = parts[4];
      requests.add(ns + "/" + pod + "/" + container);
      if (forbiddenTokens.contains(presented)) {
        send(
            ex,
            403,
            "text/plain",
            "Forbidden (user=system:serviceaccount:stasis-system:stasis-agent, verb=create,"
                + " resource=nodes, subresource=checkpoint)\n");
        return;
      }
      if (!ex.getRequestMethod().equals("POST")) {
        send(ex, 405, "text/plain", "405: Method Not Allowed\n");
        return;
      }
      if (!featureGate) {
        send(ex, 404, "text/plain", "404 page not found\n");
        return;
      }
      Map<String, String> containers = pods.get(ns + "/" + pod);
      if (containers == null) {
        send(ex, 404, "text/plain", "pod does not exist\n");
        return;
      }
      String image = containers.get(container);
      if (image == null) {
        send(ex, 404, "text/plain", "container " + container + " is not running\n");
        return;
      }
      inFlight.incrementAndGet();
      try {
        waitWhilePaused();
        long timeoutSeconds = timeoutParam(ex.getRequestURI().getRawQuery());
        Duration d = delay;
        if (timeoutSeconds > 0 && d.compareTo(Duration.ofSeconds(timeoutSeconds)) > 0) {
          sleep(Duration.ofSeconds(timeoutSeconds));
          send(
              ex,
              500,
              "text/plain",
              "checkpointing of "
                  + ns
                  + "/"
                  + pod
                  + "/"
                  + container
                  + " failed (rpc error: code = DeadlineExceeded desc = context deadline"
                  + " exceeded)\n");
          return;
        }
        sleep(d);
        if (!runtimeSupportsCheckpoint) {
          send(
              ex,
              500,
              "text/plain",
              "checkpointing of "
                  + ns
                  + "/"
                  + pod
                  + "/"
                  + container
                  + " failed (rpc error: code = Unimplemented desc = method CheckpointContainer"
                  + " not implemented)\n");
          return;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String name =
            "checkpoint-" + pod + "_" + ns + "-" + container + "-" + RFC3339.format(now) + ".tar";
        Path tmp = dir.resolve("." + name + ".tmp");
        CheckpointArchive.write(
            new CheckpointArchive.Spec(ns, pod, container, image, pagesBytes), tmp, now);
        Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String reported = reportedDir.endsWith("/") ? reportedDir + name : reportedDir + "/" + name;
        send(ex, 200, "application/json", "{\"items\":[\"" + reported + "\"]}");
      } finally {
        inFlight.decrementAndGet();
      }
    } catch (IOException | RuntimeException e) {
      // The client went away (a timeout on its side); nothing to answer.
    }
  }

  private void waitWhilePaused() {
    synchronized (gate) {
      while (paused) {
        try {
          gate.wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void sleep(Duration d) {
    if (d.isZero() || d.isNegative()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long timeoutParam(String query) {
    if (query == null) {
      return 0;
    }
    for (String kv : query.split("&")) {
      if (kv.startsWith("timeout=")) {
        try {
          return Long.parseLong(kv.substring(8));
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }

  @Override
  public void close() {
    resume();
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
