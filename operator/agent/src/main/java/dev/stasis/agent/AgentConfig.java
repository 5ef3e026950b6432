package dev.stasis.agent;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The agent's settings, read from the environment (the DaemonSet's env, the contract in
 * docs/configuration.md). Every field but the node name has the documented default; {@link
 * #fromEnv(Map)} rejects missing and malformed values with one clear line naming the variable.
 *
 * @param nodeName NODE_NAME (downward API spec.nodeName, required): reported in jobs and manifests
 * @param port STASIS_AGENT_PORT, gRPC over TLS (9443)
 * @param tlsCert STASIS_AGENT_TLS_CERT, PEM certificate chain
 * @param tlsKey STASIS_AGENT_TLS_KEY, PEM private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC)
 * @param tokenAudience STASIS_AGENT_TOKEN_AUDIENCE: the audience callers' tokens must be bound to,
 *     asked for in every TokenReview; empty (the default outside the chart): no audience binding,
 *     the API server's own audience
 * @param kubeletHost STASIS_KUBELET_HOST (default: NODE_NAME; the chart sets status.hostIP)
 * @param kubeletPort STASIS_KUBELET_PORT (10250)
 * @param kubeletCa STASIS_KUBELET_CA, PEM CA of the kubelet serving certificate; empty: the
 *     service-account CA bundle
 * @param kubeletInsecure STASIS_KUBELET_INSECURE_SKIP_VERIFY (false): do not verify the kubelet's
 *     certificate (kubelets with self-signed serving certificates)
 * @param kubeletTokenFile STASIS_KUBELET_TOKEN_FILE, the agent's own token for the kubelet
 * @param checkpointDir STASIS_CHECKPOINT_DIR, where the kubelet's archives appear
 * @param maxConcurrentJobs STASIS_MAX_CONCURRENT_JOBS (2)
 * @param allowedCallers STASIS_ALLOWED_CALLERS, service-account usernames allowed to call
 * @param registry STASIS_REGISTRY, default registry for restore images
 * @param registryRepository STASIS_REGISTRY_REPOSITORY, default repository for restore images
 * @param registrySecret STASIS_REGISTRY_SECRET, path of a mounted dockerconfigjson (a file, not a
 *     Secret name), read for each push; null: anonymous
 * @param registryPlainHttp STASIS_REGISTRY_PLAIN_HTTP (false)
 * @param journalDir STASIS_JOURNAL_DIR, where job records survive restarts
 * @param keepKubeletArchives STASIS_KEEP_KUBELET_ARCHIVES (false)
 * @param metricsPort STASIS_METRICS_PORT (9090): /healthz, /readyz, /metrics
 * @param bandwidthBytesPerSecond STASIS_BANDWIDTH_LIMIT (0 = none), e.g. 100Mi, 1.5Gi, 500k:
 *     archive bytes read per second, over all jobs
 * @param workDir STASIS_WORK_DIR, scratch space for restores
 * @param tokenReviewCacheTtl STASIS_TOKEN_REVIEW_CACHE_TTL (60s)
 * @param jobRetention STASIS_JOB_RETENTION (24h): how long finished jobs stay queryable
 */
public record AgentConfig(
    String nodeName,
    int port,
    Path tlsCert,
    Path tlsKey,
    String tokenAudience,
    String kubeletHost,
    int kubeletPort,
    Path kubeletCa,
    boolean kubeletInsecure,
    Path kubeletTokenFile,
    Path checkpointDir,
    int maxConcurrentJobs,
    Set<String> allowedCallers,
    String registry,
    String registryRepository,
    Path registrySecret,
    boolean registryPlainHttp,
    Path journalDir,
    boolean keepKubeletArchives,
    int metricsPort,
    long bandwidthBytesPerSecond,
    Path workDir,
    Duration tokenReviewCacheTtl,
    Duration jobRetention) {

  public static final String SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

  /** Reads the settings from {@code env}; throws IllegalArgumentException naming the variable. */
  public static AgentConfig fromEnv(Map<String, String> env) {
    String node = get(env, "NODE_NAME", "");
    if (node.isEmpty()) {
      throw new IllegalArgumentException(
          "NODE_NAME: required, the name of the node this agent serves (downward API"
              + " spec.nodeName)");
    }
    return new AgentConfig(
        node,
        intVar(env, "STASIS_AGENT_PORT", 9443),
        pathVar(env, "STASIS_AGENT_TLS_CERT", "/etc/stasis/tls/tls.crt"),
        pathVar(env, "STASIS_AGENT_TLS_KEY", "/etc/stasis/tls/tls.key"),
        audience(env, "STASIS_AGENT_TOKEN_AUDIENCE"),
        get(env, "STASIS_KUBELET_HOST", node),
        intVar(env, "STASIS_KUBELET_PORT", 10250),
        optionalPath(env, "STASIS_KUBELET_CA"),
        boolVar(env, "STASIS_KUBELET_INSECURE_SKIP_VERIFY", false),
        pathVar(env, "STASIS_KUBELET_TOKEN_FILE", SA_DIR + "/token"),
        pathVar(env, "STASIS_CHECKPOINT_DIR", "/var/lib/kubelet/checkpoints"),
        positive(env, "STASIS_MAX_CONCURRENT_JOBS", 2),
        list(get(env, "STASIS_ALLOWED_CALLERS", "")),
        get(env, "STASIS_REGISTRY", ""),
        repository(env, "STASIS_REGISTRY_REPOSITORY"),
        optionalPath(env, "STASIS_REGISTRY_SECRET"),
        boolVar(env, "STASIS_REGISTRY_PLAIN_HTTP", false),
        pathVar(env, "STASIS_JOURNAL_DIR", "/var/lib/stasis/journal"),
        boolVar(env, "STASIS_KEEP_KUBELET_ARCHIVES", false),
        intVar(env, "STASIS_METRICS_PORT", 9090),
        bytes(env, "STASIS_BANDWIDTH_LIMIT"),
        pathVar(env, "STASIS_WORK_DIR", System.getProperty("java.io.tmpdir") + "/stasis-agent"),
        duration(env, "STASIS_TOKEN_REVIEW_CACHE_TTL", Duration.ofSeconds(60)),
        duration(env, "STASIS_JOB_RETENTION", Duration.ofHours(24)));
  }

  /** One audience: no spaces or commas (a list here would be a mistake, not several audiences). */
  private static String audience(Map<String, String> env, String name) {
    String v = get(env, name, "");
    if (v.matches(".*[\\s,].*")) {
      throw new IllegalArgumentException(
          name + ": one audience without spaces or commas, got '" + v + "'");
    }
    return v;
  }

  /** A repository path below a registry, e.g. stasis/restore; empty: none. */
  private static String repository(Map<String, String> env, String name) {
    String v = get(env, name, "");
    if (!v.isEmpty() && !v.matches("[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*")) {
      throw new IllegalArgumentException(
          name
              + ": expected a repository such as stasis/restore (lower case, no tag), got '"
              + v
              + "'");
    }
    return v;
  }

  public static Set<String> list(String csv) {
    return Arrays.stream(csv.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static String get(Map<String, String> env, String name, String def) {
    String v = env.get(name);
    return v == null || v.isBlank() ? def : v.trim();
  }

  private static Path pathVar(Map<String, String> env, String name, String def) {
    return Path.of(get(env, name, def));
  }

  private static Path optionalPath(Map<String, String> env, String name) {
    String v = get(env, name, "");
    return v.isEmpty() ? null : Path.of(v);
  }

  private static int intVar(Map<String, String> env, String name, int def) {
    String v = get(env, name, "");
    if (v.isEmpty()) {
      return def;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 0 || n > 65535) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": not a port number or count: '" + v + "'");
    }
  }

  private static int positive(Map<String, String> env, String name, int def) {
    int n = intVar(env, name, def);
    if (n < 1) {
      throw new IllegalArgumentException(name + ": must be at least 1");
    }
    return n;
  }

  private static boolean boolVar(Map<String, String> env, String name, boolean def) {
    String v = get(env, name, "");
    if (v.isEmpty()) {
      return def;
    }
    if (v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes")) {
      return true;
    }
    if (v.equalsIgnoreCase("false") || v.equals("0") || v.equalsIgnoreCase("no")) {
      return false;
    }
    throw new IllegalArgumentException(name + ": expected true or false, got '" + v + "'");
  }

  private static final Pattern BYTES = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)([kKMGT]i?)?");

  /**
   * A byte count as the chart's schema allows it ({@code agent.bandwidthLimit}): a number, maybe
   * with a fraction, and an optional unit: {@code k}/{@code K}, {@code M}, {@code G}, {@code T}
   * (powers of 1000) or {@code Ki}, {@code Mi}, {@code Gi}, {@code Ti} (powers of 1024), as in
   * {@code 1048576}, {@code 100Mi}, {@code 1.5Gi}, {@code 500k}. Fractions of a byte are dropped.
   */
  static long parseBytes(String v) {
    var m = BYTES.matcher(v.trim());
    if (!m.matches()) {
      throw new NumberFormatException(v);
    }
    String unit = m.group(2) == null ? "" : m.group(2);
    int power = unit.isEmpty() ? 0 : "KMGT".indexOf(Character.toUpperCase(unit.charAt(0))) + 1;
    BigDecimal base = BigDecimal.valueOf(unit.endsWith("i") ? 1024 : 1000).pow(power);
    try {
      return new BigDecimal(m.group(1))
          .multiply(base)
          .setScale(0, RoundingMode.DOWN)
          .longValueExact();
    } catch (ArithmeticException e) {
      throw new NumberFormatException(v);
    }
  }

  private static long bytes(Map<String, String> env, String name) {
    String v = get(env, name, "");
    if (v.isEmpty()) {
      return 0;
    }
    try {
      return parseBytes(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + ": expected a byte count such as 100Mi, 1.5Gi or 500k, got '" + v + "'");
    }
  }

  /** A duration: 90s, 5m, 1h, 1h30m, or plain seconds. */
  public static Duration parseDuration(String v) {
    String s = v.trim();
    if (s.matches("[0-9]+")) {
      return Duration.ofSeconds(Long.parseLong(s));
    }
    if (!s.matches("([0-9]+(ms|s|m|h|d))+")) {
      throw new IllegalArgumentException();
    }
    Duration d = Duration.ZERO;
    var m = Pattern.compile("([0-9]+)(ms|s|m|h|d)").matcher(s);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
    }
    return d;
  }

  private static Duration duration(Map<String, String> env, String name, Duration def) {
    String v = get(env, name, "");
    if (v.isEmpty()) {
      return def;
    }
    try {
      return parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name + ": expected a duration such as 30s, 5m or 1h, got '" + v + "'");
    }
  }

  /** A copy with other allowed callers (tests). */
  public AgentConfig withAllowedCallers(Set<String> callers) {
    return new AgentConfig(
        nodeName,
        port,
        tlsCert,
        tlsKey,
        tokenAudience,
        kubeletHost,
        kubeletPort,
        kubeletCa,
        kubeletInsecure,
        kubeletTokenFile,
        checkpointDir,
        maxConcurrentJobs,
        callers,
        registry,
        registryRepository,
        registrySecret,
        registryPlainHttp,
        journalDir,
        keepKubeletArchives,
        metricsPort,
        bandwidthBytesPerSecond,
        workDir,
        tokenReviewCacheTtl,
        jobRetention);
  }
}
