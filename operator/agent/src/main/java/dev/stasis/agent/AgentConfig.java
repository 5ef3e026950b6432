package dev.stasis.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The agent's settings, read from the environment (the DaemonSet's env). Every field has the
 * documented default; {@link #fromEnv(Map)} rejects malformed values with one clear line.
 *
 * @param nodeName NODE_NAME (downward API): reported in jobs and manifests
 * @param port STASIS_AGENT_PORT, gRPC over TLS (9443)
 * @param tlsCert STASIS_AGENT_TLS_CERT, PEM certificate chain
 * @param tlsKey STASIS_AGENT_TLS_KEY, PEM PKCS#8 private key
 * @param kubeletHost STASIS_KUBELET_HOST (default: NODE_NAME's address, status.hostIP)
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
 * @param registrySecret STASIS_REGISTRY_SECRET, path of a mounted dockerconfigjson
 * @param registryPlainHttp STASIS_REGISTRY_PLAIN_HTTP (false)
 * @param journalDir STASIS_JOURNAL_DIR, where job records survive restarts
 * @param keepKubeletArchives STASIS_KEEP_KUBELET_ARCHIVES (false)
 * @param metricsPort STASIS_METRICS_PORT (9090): /healthz, /readyz, /metrics
 * @param bandwidthBytesPerSecond STASIS_BANDWIDTH_LIMIT (0 = none), e.g. 100Mi: archive bytes read
 *     per second, over all jobs
 * @param workDir STASIS_WORK_DIR, scratch space for restores
 * @param tokenReviewCacheTtl STASIS_TOKEN_REVIEW_CACHE_TTL (60s)
 * @param jobRetention STASIS_JOB_RETENTION (24h): how long finished jobs stay queryable
 */
public record AgentConfig(
    String nodeName,
    int port,
    Path tlsCert,
    Path tlsKey,
    String kubeletHost,
    int kubeletPort,
    Path kubeletCa,
    boolean kubeletInsecure,
    Path kubeletTokenFile,
    Path checkpointDir,
    int maxConcurrentJobs,
    Set<String> allowedCallers,
    String registry,
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
    return new AgentConfig(
        node,
        intVar(env, "STASIS_AGENT_PORT", 9443),
        pathVar(env, "STASIS_AGENT_TLS_CERT", "/etc/stasis/tls/tls.crt"),
        pathVar(env, "STASIS_AGENT_TLS_KEY", "/etc/stasis/tls/tls.key"),
        get(env, "STASIS_KUBELET_HOST", node.isEmpty() ? "127.0.0.1" : node),
        intVar(env, "STASIS_KUBELET_PORT", 10250),
        optionalPath(env, "STASIS_KUBELET_CA"),
        boolVar(env, "STASIS_KUBELET_INSECURE_SKIP_VERIFY", false),
        pathVar(env, "STASIS_KUBELET_TOKEN_FILE", SA_DIR + "/token"),
        pathVar(env, "STASIS_CHECKPOINT_DIR", "/var/lib/kubelet/checkpoints"),
        positive(env, "STASIS_MAX_CONCURRENT_JOBS", 2),
        list(get(env, "STASIS_ALLOWED_CALLERS", "")),
        get(env, "STASIS_REGISTRY", ""),
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

  /** A byte count: 1048576, 100Mi, 1Gi, 500M, 2G, 64Ki, 64K. */
  static long parseBytes(String v) {
    String s = v.trim();
    long mult = 1;
    String[][] units = {
      {"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"},
      {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}
    };
    for (String[] u : units) {
      if (s.endsWith(u[0])) {
        mult = Long.parseLong(u[1]);
        s = s.substring(0, s.length() - u[0].length());
        break;
      }
    }
    long n = Long.parseLong(s.trim());
    if (n < 0) {
      throw new NumberFormatException();
    }
    return n * mult;
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
          name + ": expected a byte count such as 100Mi or 1G, got '" + v + "'");
    }
  }

  /** A duration: 90s, 5m, 1h, 1h30m, or plain seconds. */
  static Duration parseDuration(String v) {
    String s = v.trim();
    if (s.matches("[0-9]+")) {
      return Duration.ofSeconds(Long.parseLong(s));
    }
    if (!s.matches("([0-9]+(ms|s|m|h|d))+")) {
      throw new IllegalArgumentException();
    }
    Duration d = Duration.ZERO;
    var m = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h|d)").matcher(s);
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
        kubeletHost,
        kubeletPort,
        kubeletCa,
        kubeletInsecure,
        kubeletTokenFile,
        checkpointDir,
        maxConcurrentJobs,
        callers,
        registry,
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
