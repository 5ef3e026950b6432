package dev.stasis.e2e.cluster;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfig;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.Utils;
import io.fabric8.kubeapitest.binary.BinaryManager;
import io.fabric8.kubeapitest.binary.OSInfo;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Kubernetes API server (kube-apiserver and etcd, started by io.fabric8:kube-api-test) and
 * the real kubectl, for the suite that checks what fabric8's mock server only imitates: the CRDs'
 * schema and CEL validation, printer columns, RBAC.
 *
 * <p>Binaries, in order: a kube-api-test directory ({@code $KUBE_API_TEST_DIR}, else {@code
 * ~/.kubeapitest}) holding {@code k8s/<version>-linux-<arch>/{etcd,kube-apiserver,kubectl}}; else
 * {@code kube-apiserver}, {@code etcd} and {@code kubectl} on the PATH (Debian's {@code
 * etcd-server} and {@code kubectl} packages serve for two of them), linked into such a directory
 * under {@code target/}; else, with {@code STASIS_E2E_KUBE_API_DOWNLOAD=true} on a machine that is
 * online, kube-api-test downloads them. Where none of that works the suite is skipped with one line
 * saying why and how to run it.
 */
final class RealApiServer implements AutoCloseable {
  static final String RUN =
      "./mvnw -B verify -pl e2e -am -Dtest=RealApiServerTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false";

  /** Set to true to let kube-api-test download the binaries into $KUBE_API_TEST_DIR. */
  static final String DOWNLOAD = "STASIS_E2E_KUBE_API_DOWNLOAD";

  private static final List<String> BINARIES = List.of("etcd", "kube-apiserver", "kubectl");

  private final KubeAPIServer server;
  private final Path kubeconfig;
  private final Path kubectl;
  private final List<KubernetesClient> clients = new ArrayList<>();

  /** Where binaries were found, or why not. */
  record Binaries(KubeAPIServerConfig config, Path kubectl, String unavailable) {}

  private RealApiServer(KubeAPIServer server, Path kubeconfig, Path kubectl) {
    this.server = server;
    this.kubeconfig = kubeconfig;
    this.kubectl = kubectl;
  }

  /** Finds (or downloads) the binaries; {@link Binaries#unavailable} says why there are none. */
  static Binaries find(Path work) {
    Path testDir =
        Path.of(
            Optional.ofNullable(System.getenv(KubeAPIServerConfigBuilder.KUBE_API_TEST_DIR))
                .orElse(
                    System.getProperty("user.home")
                        + File.separator
                        + KubeAPIServerConfigBuilder.DIRECTORY_NAME));
    Optional<Path> installed = versionDirectory(testDir);
    if (installed.isPresent()) {
      return found(testDir, null, true, installed.get().resolve("kubectl"));
    }
    Optional<Path> apiServer = onPath("kube-apiserver");
    if (apiServer.isPresent() && onPath("etcd").isPresent() && onPath("kubectl").isPresent()) {
      try {
        String version = version(apiServer.get());
        Path dir = Files.createDirectories(work.resolve("k8s").resolve(version + platform()));
        for (String binary : BINARIES) {
          Path link = dir.resolve(binary);
          Files.deleteIfExists(link);
          Files.createSymbolicLink(link, onPath(binary).orElseThrow());
        }
        return found(work, version, true, dir.resolve("kubectl"));
      } catch (IOException | InterruptedException | RuntimeException e) {
        return new Binaries(null, null, "cannot use kube-apiserver from the PATH: " + e);
      }
    }
    String missing =
        "no kube-apiserver here (none in "
            + testDir.resolve("k8s")
            + "/<version>"
            + platform()
            + "/ and none on the PATH). Put etcd, kube-apiserver and kubectl there (or on the"
            + " PATH; Debian's etcd-server and kubectl serve for two), or set "
            + DOWNLOAD
            + "=true on a machine that is online, and run: "
            + RUN;
    if (!"true".equals(System.getenv(DOWNLOAD))) {
      return new Binaries(null, null, missing);
    }
    KubeAPIServerConfig online =
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withTestDir(testDir.toString())
            .withOfflineMode(false)
            .build();
    try {
      new BinaryManager(online).initAndDownloadIfRequired();
      Path dir = versionDirectory(testDir).orElseThrow();
      return found(testDir, null, false, dir.resolve("kubectl"));
    } catch (RuntimeException e) {
      return new Binaries(null, null, missing + " (the download failed: " + e.getMessage() + ")");
    }
  }

  private static Binaries found(Path testDir, String version, boolean offline, Path kubectl) {
    KubeAPIServerConfigBuilder config =
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withTestDir(testDir.toString())
            .withOfflineMode(offline)
            .withUpdateKubeConfig(false)
            .withWaitForEtcdHealthCheckOnStartup(true)
            .withStartupTimeout(120_000);
    if (version != null) {
      config.withApiServerVersion(version);
    }
    return new Binaries(config.build(), kubectl, null);
  }

  /**
   * Starts etcd and kube-apiserver; the kubeconfig (admin, system:masters) goes to {@code work}.
   */
  static RealApiServer start(Binaries binaries, Path work) throws IOException {
    KubeAPIServer server = new KubeAPIServer(binaries.config());
    server.start();
    Path kubeconfig = Files.createDirectories(work).resolve("kubeconfig");
    Files.writeString(kubeconfig, server.getKubeConfigYaml());
    return new RealApiServer(server, kubeconfig, binaries.kubectl());
  }

  /** A new admin client, closed with the server. */
  synchronized KubernetesClient client() {
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml()))
            .build();
    clients.add(client);
    return client;
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  /**
   * A token of a service account for an audience (null: the API server's own), as the kubelet
   * projects it: the service account is created if missing, and the token comes from the
   * TokenRequest API, so the API server's TokenReview accepts it.
   */
  String serviceAccountToken(String namespace, String name, String audience) {
    KubernetesClient admin = client();
    if (admin.serviceAccounts().inNamespace(namespace).withName(name).get() == null) {
      admin
          .serviceAccounts()
          .inNamespace(namespace)
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .endMetadata()
                  .build())
          .create();
    }
    return admin
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(name)
        .tokenRequest(
            new TokenRequestBuilder()
                .withNewSpec()
                .withAudiences(audience == null ? List.of() : List.of(audience))
                .withExpirationSeconds(3600L)
                .endSpec()
                .build())
        .getStatus()
        .getToken();
  }

  /** What a kubectl run printed. */
  record KubectlRun(int exitCode, String out, String err) {}

  /** The real kubectl against this server. */
  KubectlRun kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(kubectl.toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    Path out = Files.createTempFile(kubeconfig.getParent(), "kubectl", ".out");
    Path err = Files.createTempFile(kubeconfig.getParent(), "kubectl", ".err");
    Process p =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("kubectl " + String.join(" ", args) + " did not finish in 2 minutes");
    }
    return new KubectlRun(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Override
  public synchronized void close() {
    clients.forEach(KubernetesClient::close);
    clients.clear();
    server.stop();
  }

  private static Optional<Path> versionDirectory(Path testDir) {
    Path k8s = testDir.resolve("k8s");
    if (!Files.isDirectory(k8s)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(k8s)) {
      return dirs.filter(d -> d.getFileName().toString().endsWith(platform()))
          .filter(d -> BINARIES.stream().allMatch(b -> Files.isExecutable(d.resolve(b))))
          .max(Path::compareTo);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<Path> onPath(String binary) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir).resolve(binary);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** {@code Kubernetes v1.31.2} from {@code kube-apiserver --version}, as {@code 1.31.2}. */
  private static String version(Path apiServer) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(apiServer.toString(), "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    Matcher m = Pattern.compile("v(\\d+\\.\\d+\\.\\d+)").matcher(out);
    if (!m.find()) {
      throw new IOException("kube-apiserver --version printed no version: " + out.strip());
    }
    return m.group(1);
  }

  /** kube-api-test's name for this platform, e.g. {@code -linux-amd64}. */
  private static String platform() {
    return Utils.platformSuffix(new OSInfo());
  }
}
