package dev.stasis.agent.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.agent.AgentConfig;
import dev.stasis.agent.JobFailure;
import dev.stasis.agent.Tls;
import dev.stasis.agent.api.Reasons;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's checkpoint API: {@code POST
 * https://<host>:<port>/checkpoint/{namespace}/{pod}/{container}?timeout=N} with the agent's own
 * service-account token (which needs {@code create} on {@code nodes/checkpoint}). The kubelet
 * answers {@code {"items":["/var/lib/kubelet/checkpoints/checkpoint-<pod>_<ns>-<ctr>-<ts>.tar"]}}.
 * Every failure becomes a {@link JobFailure} with its reason and a message a user can act on.
 */
public class KubeletClient {
  private static final Logger LOG = LoggerFactory.getLogger(KubeletClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How much longer than the kubelet's own timeout the agent waits for an answer. */
  public static final Duration GRACE = Duration.ofSeconds(10);

  /** Used when a request names no timeout (the kubelet's default is 4 minutes). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(4);

  private final String host;
  private final int port;
  private final Supplier<String> token;
  private final Path checkpointDir;
  private final HttpClient http;
  private final Duration grace;

  public KubeletClient(
      String host,
      int port,
      SSLContext tls,
      Supplier<String> token,
      Path checkpointDir,
      Duration grace) {
    this.host = host;
    this.port = port;
    this.token = token;
    this.checkpointDir = checkpointDir;
    this.grace = grace;
    this.http =
        HttpClient.newBuilder()
            .sslContext(tls)
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /**
   * The kubelet as the agent reaches it: TLS as {@link #tlsContext} chooses (the service account's
   * CA bundle being the default), the token re-read from {@code tokenFile}, {@link #GRACE}.
   */
  public static KubeletClient create(
      String host, int port, Path caFile, boolean insecure, Path tokenFile, Path checkpointDir)
      throws IOException {
    return new KubeletClient(
        host,
        port,
        tlsContext(caFile, insecure, Path.of(AgentConfig.SA_DIR)),
        tokenFile(tokenFile),
        checkpointDir,
        GRACE);
  }

  /**
   * The TLS context for the kubelet: its CA file if given, else the service account's CA bundle if
   * present, else the JDK's trust store; or no verification at all when {@code insecure}.
   */
  public static SSLContext tlsContext(Path caFile, boolean insecure, Path saDir)
      throws IOException {
    if (insecure) {
      return Tls.trustingAnything();
    }
    if (caFile != null) {
      return Tls.trusting(caFile);
    }
    Path saCa = saDir.resolve("ca.crt");
    if (Files.isReadable(saCa)) {
      return Tls.trusting(saCa);
    }
    try {
      return SSLContext.getDefault();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
  }

  /** A token supplier that re-reads the projected token file on every call (it rotates). */
  public static Supplier<String> tokenFile(Path file) {
    return () -> {
      try {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the agent's token " + file + ": " + e);
      }
    };
  }

  public String endpoint() {
    return "https://" + hostForUri() + ":" + port;
  }

  private String hostForUri() {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /**
   * Asks the kubelet to checkpoint one container and returns the archive as the agent sees it.
   *
   * @param timeout the kubelet's own timeout (passed as ?timeout=); null or zero: its default
   */
  public Path checkpoint(String namespace, String pod, String container, Duration timeout)
      throws JobFailure, InterruptedException {
    String what = namespace + "/" + pod + "/" + container;
    Duration kubeletTimeout =
        timeout == null || timeout.isZero() || timeout.isNegative() ? null : timeout;
    String uri =
        endpoint()
            + "/checkpoint/"
            + namespace
            + "/"
            + pod
            + "/"
            + container
            + (kubeletTimeout != null ? "?timeout=" + Math.max(1, kubeletTimeout.toSeconds()) : "");
    String bearer;
    try {
      bearer = token.get();
    } catch (RuntimeException e) {
      throw new JobFailure(Reasons.KUBELET_UNAUTHORIZED, e.getMessage());
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(uri))
            .POST(HttpRequest.BodyPublishers.noBody())
            .header("Authorization", "Bearer " + bearer)
            .header("Accept", "application/json")
            .timeout((kubeletTimeout != null ? kubeletTimeout : DEFAULT_TIMEOUT).plus(grace))
            .build();
    LOG.info("asking the kubelet at {} to checkpoint {}", endpoint(), what);
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new JobFailure(
          Reasons.KUBELET_TIMEOUT,
          "the kubelet did not finish checkpointing "
              + what
              + " in time"
              + inSeconds(kubeletTimeout)
              + ": a container with much memory needs a longer kubeletTimeout");
    } catch (ConnectException e) {
      throw new JobFailure(
          Reasons.KUBELET_UNAVAILABLE,
          "cannot connect to the kubelet at "
              + endpoint()
              + ": check STASIS_KUBELET_HOST / STASIS_KUBELET_PORT and that the agent runs with"
              + " access to the node's address");
    } catch (SSLException e) {
      throw new JobFailure(
          Reasons.KUBELET_UNAVAILABLE,
          "TLS with the kubelet at "
              + endpoint()
              + " failed ("
              + e.getMessage()
              + "): set STASIS_KUBELET_CA to the CA of the kubelet's serving certificate, or"
              + " STASIS_KUBELET_INSECURE_SKIP_VERIFY=true for self-signed kubelet certificates");
    } catch (IOException e) {
      throw new JobFailure(
          Reasons.KUBELET_UNAVAILABLE,
          "talking to the kubelet at " + endpoint() + " failed: " + e.getMessage());
    }
    String body = firstLine(response.body());
    int code = response.statusCode();
    switch (code) {
      case 200, 201 -> {
        return archivePath(response.body(), what);
      }
      case 404 ->
          throw new JobFailure(
              Reasons.CONTAINER_NOT_FOUND,
              "the kubelet answered 404 for "
                  + what
                  + " ("
                  + body
                  + "): the container does not run on this node, or the kubelet's"
                  + " ContainerCheckpoint feature gate is off (it is on by default from"
                  + " Kubernetes 1.30)");
      case 401, 403 ->
          throw new JobFailure(
              Reasons.KUBELET_UNAUTHORIZED,
              "the kubelet refused the agent ("
                  + code
                  + "): the agent's service account needs 'create' on 'nodes/checkpoint' (the"
                  + " Helm chart's ClusterRole grants it), and the kubelet must accept webhook"
                  + " token authentication");
      case 500 -> {
        if (body.contains("DeadlineExceeded") || body.contains("deadline exceeded")) {
          throw new JobFailure(
              Reasons.KUBELET_TIMEOUT,
              "the container runtime did not finish checkpointing "
                  + what
                  + " within the timeout"
                  + inSeconds(kubeletTimeout)
                  + ": raise kubeletTimeout for containers with much memory");
        }
        throw new JobFailure(
            Reasons.CHECKPOINT_UNSUPPORTED,
            "the container runtime could not checkpoint "
                + what
                + " ("
                + body
                + "): checkpointing needs CRI-O with CRIU, or containerd 2.1 or later with CRIU,"
                + " on the node");
      }
      default ->
          throw new JobFailure(
              Reasons.KUBELET_UNAVAILABLE,
              "the kubelet answered " + code + " for " + what + ": " + body);
    }
  }

  private Path archivePath(String body, String what) throws JobFailure {
    String reported;
    try {
      JsonNode items = JSON.readTree(body).path("items");
      if (!items.isArray() || items.isEmpty() || !items.get(0).isTextual()) {
        throw new IOException("no items");
      }
      reported = items.get(0).asText();
    } catch (IOException e) {
      throw new JobFailure(
          Reasons.KUBELET_UNAVAILABLE,
          "the kubelet's answer for " + what + " names no archive: " + firstLine(body));
    }
    Path p = Path.of(reported);
    if (Files.isRegularFile(p)) {
      return p;
    }
    // The agent may mount the kubelet's checkpoint directory elsewhere: look for the file name.
    Path local = checkpointDir.resolve(p.getFileName().toString());
    if (Files.isRegularFile(local)) {
      return local;
    }
    throw new JobFailure(
        Reasons.KUBELET_UNAVAILABLE,
        "the kubelet wrote "
            + reported
            + " but the agent cannot see it in "
            + checkpointDir
            + ": mount the kubelet's checkpoint directory into the agent and set"
            + " STASIS_CHECKPOINT_DIR");
  }

  /** " (Ns)", or nothing for the kubelet's default timeout. */
  private static String inSeconds(Duration kubeletTimeout) {
    return kubeletTimeout != null ? " (" + kubeletTimeout.toSeconds() + "s)" : "";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    int nl = t.indexOf('\n');
    if (nl >= 0) {
      t = t.substring(0, nl);
    }
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }
}
