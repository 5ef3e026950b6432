package dev.stasis.testsupport.registry;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real OCI registry (Debian's {@code docker-registry}, the CNCF distribution) on a free loopback
 * port, plain HTTP, with filesystem storage in a directory the test owns. Tests that need it call
 * {@link #available()} first and skip with {@link #unavailableReason()} when it is false (CI
 * installs the package from {@code .ci/apt-packages}).
 */
public final class RegistryServer implements AutoCloseable {
  /** Where Debian installs the binary; {@code STASIS_DOCKER_REGISTRY} overrides. */
  public static final String DEFAULT_BINARY = "/usr/bin/docker-registry";

  private final Process process;
  private final int port;
  private final Path root;
  private final String username;
  private final String password;

  private RegistryServer(Process process, int port, Path root, String username, String password) {
    this.process = process;
    this.port = port;
    this.root = root;
    this.username = username;
    this.password = password;
  }

  public static Path binary() {
    String env = System.getenv("STASIS_DOCKER_REGISTRY");
    return Path.of(env != null && !env.isBlank() ? env : DEFAULT_BINARY);
  }

  public static boolean available() {
    return Files.isExecutable(binary());
  }

  public static String unavailableReason() {
    return binary()
        + " not found: install the Debian package docker-registry (listed in .ci/apt-packages) to"
        + " run the registry tests";
  }

  /** An anonymous registry storing into {@code workDir}. */
  public static RegistryServer start(Path workDir) throws IOException {
    return start(workDir, null, null);
  }

  /**
   * A registry that asks for HTTP basic credentials (htpasswd, bcrypt) when {@code username} is not
   * null.
   */
  public static RegistryServer start(Path workDir, String username, String password)
      throws IOException {
    if (!available()) {
      throw new IllegalStateException(unavailableReason());
    }
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      try {
        return launch(workDir.resolve("run-" + attempt), port, username, password);
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  private static RegistryServer launch(Path dir, int port, String username, String password)
      throws IOException {
    Path root = dir.resolve("storage");
    Files.createDirectories(root);
    StringBuilder config = new StringBuilder();
    config
        .append("version: 0.1\n")
        .append("log:\n  level: warn\n  accesslog:\n    disabled: true\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ")
        .append(root)
        .append("\n  delete:\n    enabled: true\n")
        .append("http:\n  addr: 127.0.0.1:")
        .append(port)
        .append("\n  secret: ")
        .append(randomSecret())
        .append("\n");
    if (username != null) {
      Path htpasswd = dir.resolve("htpasswd");
      byte[] salt = new byte[16];
      new SecureRandom().nextBytes(salt);
      String hash = OpenBSDBCrypt.generate("2a", password.toCharArray(), salt, 6);
      Files.writeString(htpasswd, username + ":" + hash + "\n", StandardCharsets.UTF_8);
      config
          .append("auth:\n  htpasswd:\n    realm: stasis-test\n    path: ")
          .append(htpasswd)
          .append("\n");
    }
    Path configFile = dir.resolve("config.yml");
    Files.writeString(configFile, config.toString(), StandardCharsets.UTF_8);
    Path log = dir.resolve("registry.log");
    Process p =
        new ProcessBuilder(binary().toString(), "serve", configFile.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    RegistryServer server = new RegistryServer(p, port, root, username, password);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException(
            "docker-registry exited with " + p.exitValue() + ": " + Files.readString(log));
      }
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(server.url() + "/v2/"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return server;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        server.close();
        throw new IOException("interrupted while waiting for docker-registry");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    server.close();
    throw new IOException(
        "docker-registry did not answer on /v2/ within 20 s: " + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String randomSecret() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** {@code 127.0.0.1:<port>}: the registry part of an image reference. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  public String url() {
    return "http://" + hostPort();
  }

  public int port() {
    return port;
  }

  public Path storageRoot() {
    return root;
  }

  /**
   * A dockerconfigjson for this registry's credentials (as in a kubernetes.io/dockerconfigjson
   * Secret), or an empty {@code auths} for an anonymous registry.
   */
  public String dockerConfigJson() {
    if (username == null) {
      return "{\"auths\":{}}";
    }
    String auth =
        Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    return "{\"auths\":{\"" + hostPort() + "\":{\"auth\":\"" + auth + "\"}}}";
  }

  /** The value of a Basic Authorization header, or null for an anonymous registry. */
  public String basicAuthorization() {
    if (username == null) {
      return null;
    }
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
