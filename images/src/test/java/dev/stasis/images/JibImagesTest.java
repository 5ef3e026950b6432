package dev.stasis.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.testsupport.kubelet.TestTls;
import dev.stasis.testsupport.registry.RegistryServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Maven way of building the images, for real: the project's wrapper runs {@code jib:build} for
 * operator/agent and operator/controller against a real OCI registry (Debian's docker-registry), on
 * a stand-in for {@code eclipse-temurin:17-jre} (a jlink'd runtime of the build JDK, pushed there
 * first, since Docker Hub is out of reach). The test then pulls what was pushed over the registry
 * API, compares the image configuration with images/{agent,operator}/Dockerfile, unpacks the layers
 * into a root filesystem and runs each image's entrypoint in it (chroot, own PID namespace).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JibImagesTest {
  private static final Path ROOT =
      Path.of(System.getProperty("stasis.root", "..")).toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("stasis.version", "0.1.0-SNAPSHOT");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> REPOSITORIES =
      Map.of("agent", "stasis-dev/stasis-agent", "operator", "stasis-dev/stasis-operator");
  private static final Map<String, String> MAIN_CLASSES =
      Map.of("agent", "dev.stasis.agent.Main", "operator", "dev.stasis.controller.Main");

  private Path work;

  private RegistryServer registry;
  private OciRegistry oci;
  private StandInBaseImage.Pushed base;
  private final Map<String, Image> images = new TreeMap<>();

  /** An image as pulled back from the registry. */
  record Image(
      String name, OciRegistry.Manifest manifest, JsonNode config, List<String> layers, RootFs fs) {
    JsonNode runtime() {
      return config.path("config");
    }

    List<String> strings(String field) {
      List<String> out = new ArrayList<>();
      runtime().path(field).forEach(n -> out.add(n.asText()));
      return out;
    }

    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      for (String e : strings("Env")) {
        int eq = e.indexOf('=');
        env.put(e.substring(0, eq), e.substring(eq + 1));
      }
      return env;
    }

    /** Entrypoint then Cmd, as a runtime starts it, with {@code args} replacing Cmd if given. */
    List<String> argv(String... args) {
      List<String> argv = new ArrayList<>(strings("Entrypoint"));
      argv.addAll(args.length == 0 ? strings("Cmd") : List.of(args));
      return argv;
    }
  }

  @BeforeAll
  void buildPushAndPullBothImages(@TempDir Path dir) throws Exception {
    work = dir;
    assumeTrue(RegistryServer.available(), RegistryServer.unavailableReason());
    registry = RegistryServer.start(work.resolve("registry"));
    oci = new OciRegistry(registry.url());

    long t0 = System.nanoTime();
    base =
        StandInBaseImage.build(
            Files.createDirectories(work.resolve("base")),
            oci,
            registry.hostPort(),
            "stasis-test/temurin-standin",
            "17-jre");
    long t1 = System.nanoTime();

    Exec.Result maven = jibBuild();
    assertThat(maven.exitCode()).as(Exec.tail(maven.describe(), 20000)).isZero();
    long t2 = System.nanoTime();

    for (String name : REPOSITORIES.keySet()) {
      images.put(name, pull(name));
    }
    long t3 = System.nanoTime();
    System.out.printf(
        "images test: base image %.1f s (layer %d MB), ./mvnw jib:build (both modules) %.1f s,"
            + " pull + unpack %.1f s%n",
        (t1 - t0) / 1e9, base.layerSize() >> 20, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
  }

  @AfterAll
  void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  /**
   * {@code ./mvnw package jib:build} for both modules in one reactor ({@code -am}: the stasis
   * modules they depend on are packaged from this checkout, never taken from the local repository,
   * so the test passes on a machine where no {@code dev.stasis} artifact was ever installed). Jib
   * refuses Maven's offline mode (it must reach a registry), so instead of {@code -o} a settings
   * file blocks every remote repository: the build can only use what the outer build put into the
   * local repository.
   */
  private Exec.Result jibBuild() throws IOException, InterruptedException {
    Path settings = work.resolve("maven-settings.xml");
    Files.writeString(
        settings,
        """
        <settings>
          <mirrors>
            <mirror>
              <id>blocked-remote-repositories</id>
              <mirrorOf>*</mirrorOf>
              <url>https://repo.maven.apache.org/maven2</url>
              <blocked>true</blocked>
            </mirror>
          </mirrors>
        </settings>
        """);
    List<String> command =
        new ArrayList<>(
            List.of(
                ROOT.resolve("mvnw").toString(),
                "-B",
                "-s",
                settings.toString(),
                // Artifacts in the local repository are used whichever repository they came from.
                "-Daether.enhancedLocalRepository.trackingFilename=stasis-images-test",
                "-pl",
                "operator/agent,operator/controller",
                "-am",
                // Without a lifecycle phase the reactor cannot hand its modules' own artifacts to
                // each other (stasis-storage would look for stasis-api in the local repository,
                // where a fresh machine has none): package them, tests already ran outside.
                "package",
                "-DskipTests",
                "jib:build",
                "-Djib.from.image=" + base.reference(),
                "-Dstasis.image.registry=" + registry.hostPort(),
                "-Djib.allowInsecureRegistries=true",
                "-Djib.disableUpdateChecks=true",
                "-Djib.console=plain",
                "-Djib.baseImageCache=" + work.resolve("jib-base-cache"),
                "-Djib.applicationCache=" + work.resolve("jib-application-cache")));
    String localRepository = System.getProperty("stasis.maven.repo.local");
    if (localRepository != null && !localRepository.isBlank()) {
      command.add("-Dmaven.repo.local=" + localRepository);
    }
    Path log = Files.createDirectories(Path.of("target")).resolve("jib-build.log");
    Map<String, String> env = new java.util.HashMap<>();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("MAVEN_ARGS", null); // e.g. -o from the developer's shell would stop Jib
    return Exec.run(command, ROOT, env, false, Duration.ofMinutes(5), log);
  }

  private Image pull(String name) throws IOException, InterruptedException {
    String repository = REPOSITORIES.get(name);
    OciRegistry.Manifest manifest = oci.manifest(repository, VERSION);
    JsonNode config =
        oci.blobJson(repository, manifest.json().path("config").path("digest").asText());
    List<String> layers = new ArrayList<>();
    List<RootFs.Layer> files = new ArrayList<>();
    JsonNode diffIds = config.path("rootfs").path("diff_ids");
    assertThat(diffIds.size()).isEqualTo(manifest.json().path("layers").size());
    Path dir = Files.createDirectories(work.resolve(name + "-layers"));
    int i = 0;
    for (JsonNode layer : manifest.json().path("layers")) {
      String digest = layer.path("digest").asText();
      layers.add(digest);
      Path file = oci.blob(repository, digest, dir.resolve(i + ".tar.gz"));
      files.add(new RootFs.Layer(file, diffIds.get(i).asText()));
      i++;
    }
    RootFs fs = RootFs.unpack(work.resolve(name + "-rootfs"), files, dir);
    return new Image(name, manifest, config, layers, fs);
  }

  // ---- what the images say ---------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"agent", "operator"})
  void imageIsConfiguredLikeItsDockerfile(String name) throws IOException {
    Image image = images.get(name);
    Dockerfile dockerfile = Dockerfile.read(ROOT.resolve("images/" + name + "/Dockerfile"));

    assertThat(image.runtime().path("User").asText()).isEqualTo(dockerfile.user());
    List<String> ports = new ArrayList<>();
    image.runtime().path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
    assertThat(ports)
        .containsExactlyInAnyOrderElementsOf(
            dockerfile.exposed().stream().map(p -> p + "/tcp").toList());

    Map<String, String> labels = new TreeMap<>();
    image
        .runtime()
        .path("Labels")
        .fields()
        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    Map<String, String> expected = new TreeMap<>(dockerfile.labels());
    expected.replaceAll((k, v) -> v.replace("${VERSION}", VERSION));
    assertThat(expected)
        .containsKeys(
            "org.opencontainers.image.title",
            "org.opencontainers.image.description",
            "org.opencontainers.image.source",
            "org.opencontainers.image.version",
            "org.opencontainers.image.licenses");
    assertThat(labels).containsAllEntriesOf(expected);
    assertThat(labels).containsEntry("org.opencontainers.image.version", VERSION);

    // java <the Dockerfile's JVM flags> ... <main class>, where the Dockerfile has -jar <jar>.
    List<String> entrypoint = image.strings("Entrypoint");
    List<String> dockerEntrypoint = dockerfile.entrypoint();
    List<String> jvmFlags = dockerEntrypoint.subList(1, dockerEntrypoint.indexOf("-jar"));
    assertThat(jvmFlags).contains("-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/tmp");
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint.subList(1, 1 + jvmFlags.size())).isEqualTo(jvmFlags);
    assertThat(entrypoint).contains("-cp").last().isEqualTo(MAIN_CLASSES.get(name));
    assertThat(image.strings("Cmd")).isEqualTo(dockerfile.cmd());

    // The base image's environment, as eclipse-temurin's: java on the PATH, JAVA_HOME.
    assertThat(image.env())
        .containsEntry("JAVA_HOME", StandInBaseImage.JAVA_HOME)
        .containsEntry("PATH", StandInBaseImage.PATH);
    // Reproducible: no build time in the image.
    assertThat(image.config().path("created").asText()).isEqualTo("1970-01-01T00:00:00Z");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"agent", "operator"})
  void imageIsTheApplicationInLayersOnTheBase(String name) throws IOException {
    Image image = images.get(name);
    // The base layer is reused as pushed, the application comes in layers of its own.
    assertThat(image.layers()).hasSizeGreaterThan(1);
    assertThat(image.layers().get(0)).isEqualTo(base.layerDigest());
    assertThat(image.config().path("rootfs").path("diff_ids").get(0).asText())
        .isEqualTo(base.diffId());

    Path app = image.fs().dir().resolve("app");
    String main = MAIN_CLASSES.get(name);
    assertThat(app.resolve("classes/" + main.replace('.', '/') + ".class")).isRegularFile();
    assertThat(Files.readString(app.resolve("jib-main-class-file")).strip()).isEqualTo(main);
    List<String> libs;
    try (var list = Files.list(app.resolve("libs"))) {
      libs = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(libs)
        .contains(
            "stasis-api-" + VERSION + ".jar",
            "stasis-agent-api-" + VERSION + ".jar",
            "stasis-storage-" + VERSION + ".jar")
        .noneMatch(l -> l.startsWith("stasis-test-support"))
        .noneMatch(l -> l.startsWith("junit"));
    if (name.equals("agent")) {
      assertThat(libs)
          .anyMatch(l -> l.startsWith("picocli-"))
          .anyMatch(l -> l.startsWith("zstd-jni-"));
    } else {
      assertThat(libs)
          .anyMatch(l -> l.startsWith("operator-framework-core-"))
          .noneMatch(l -> l.startsWith("stasis-agent-" + VERSION));
    }
    // The java the entrypoint runs is the base image's.
    assertThat(image.fs().dir().resolve("opt/java/openjdk/bin/java")).isExecutable();
    String classpath = Files.readString(app.resolve("jib-classpath-file"));
    assertThat(classpath)
        .contains("/app/classes")
        .contains("/app/libs/stasis-storage-" + VERSION + ".jar");
  }

  // ---- the images run --------------------------------------------------------------------------

  @Test
  void agentImageRunsTheCommandLine() throws Exception {
    String reason = RootFs.cannotRunReason();
    assumeTrue(reason == null, reason);
    Image agent = images.get("agent");
    String user = agent.runtime().path("User").asText();

    Exec.Result help = runIn(agent, user, agent.argv("--help"), Map.of(), "agent-help");
    assertThat(help.exitCode()).as(help.describe()).isZero();
    assertThat(help.output())
        .as(help.describe())
        .contains("Usage: stasis")
        .contains("serve")
        .contains("cp")
        .contains("ls");

    // A round trip through the storage code (zstd through its native library) on a file:// store.
    Path data = Files.createDirectories(agent.fs().dir().resolve("data"));
    byte[] archive = new byte[3 << 20];
    new Random(42).nextBytes(archive);
    Files.write(data.resolve("in.tar"), archive);
    String object = "file:///data/store/default/web-0/ckpt-1/web.tar.zst";
    Exec.Result up =
        runIn(agent, user, agent.argv("cp", "/data/in.tar", object), Map.of(), "agent-cp-up");
    assertThat(up.exitCode()).as(up.describe()).isZero();
    assertThat(up.output()).as(up.describe()).contains(object).contains("zstd");
    assertThat(data.resolve("store/default/web-0/ckpt-1/web.tar.zst")).isRegularFile();

    Exec.Result down =
        runIn(agent, user, agent.argv("cp", object, "/data/out.tar"), Map.of(), "agent-cp-down");
    assertThat(down.exitCode()).as(down.describe()).isZero();
    assertThat(Files.readAllBytes(data.resolve("out.tar"))).isEqualTo(archive);

    Exec.Result ls =
        runIn(
            agent,
            user,
            agent.argv("ls", "file:///data/store/default/web-0"),
            Map.of(),
            "agent-ls");
    assertThat(ls.exitCode()).as(ls.describe()).isZero();
    assertThat(ls.output()).as(ls.describe()).contains(object);

    Exec.Result bad = runIn(agent, user, agent.argv("no-such-command"), Map.of(), "agent-bad");
    assertThat(bad.exitCode()).as(bad.describe()).isEqualTo(2);
    assertThat(bad.output()).contains("no-such-command");
  }

  @Test
  void operatorImageReportsAnUnreachableApiServerAndExits() throws Exception {
    String reason = RootFs.cannotRunReason();
    assumeTrue(reason == null, reason);
    Image operator = images.get("operator");
    String user = operator.runtime().path("User").asText();
    assertThat(user).isEqualTo("65532:65532");

    // What the chart mounts: the CA of the agents' certificates.
    Path ca = operator.fs().dir().resolve("etc/stasis/agent-ca/ca.crt");
    Files.createDirectories(ca.getParent());
    Files.writeString(ca, TestTls.generate("stasis-agent-ca").caPem());

    Map<String, String> env = new LinkedHashMap<>(operator.env());
    env.put("KUBERNETES_MASTER", "https://127.0.0.1:" + closedPort());
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    env.put("KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT", "0");
    env.put("STASIS_LEADER_ELECTION", "false");
    env.put("STASIS_HTTP_PORT", Integer.toString(closedPort()));
    env.put("HOSTNAME", "stasis-operator-image-test");

    ProcessBuilder pb =
        new ProcessBuilder(operator.fs().command(user, operator.argv()))
            .directory(operator.fs().dir().toFile())
            .redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    StringBuilder out = new StringBuilder();
    int exit;
    try {
      // Reading ends when the process exits (it must, on its own), or when the watchdog ends it.
      watchdog.schedule(() -> p.destroyForcibly(), 90, TimeUnit.SECONDS);
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          out.append(line).append('\n');
        }
      }
      exit = p.waitFor();
    } finally {
      Exec.destroy(p);
      watchdog.shutdownNow();
    }
    String log = out.toString();
    Files.writeString(work.resolve("operator.log"), log);
    // 1 is the operator's own exit; the watchdog's kill would give 137.
    assertThat(exit).as(Exec.tail(log, 8000)).isEqualTo(1);
    assertThat(log)
        .as(Exec.tail(log, 8000))
        .contains("Starting 'checkpoint' controller")
        .contains("java.net.ConnectException")
        .contains("the operator could not start, exiting")
        .contains("OperatorException: Error starting operator")
        .doesNotContain("cannot read the agent CA")
        .doesNotContain("ClassNotFoundException")
        .doesNotContain("NoClassDefFoundError");
  }

  private Exec.Result runIn(
      Image image, String user, List<String> argv, Map<String, String> extraEnv, String label)
      throws IOException, InterruptedException {
    Map<String, String> env = new LinkedHashMap<>(image.env());
    env.putAll(extraEnv);
    return image.fs().run(user, argv, env, Duration.ofSeconds(90), work.resolve(label + ".log"));
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The parts of a Dockerfile's runtime stage the images must agree on. */
  record Dockerfile(
      String user,
      List<String> exposed,
      Map<String, String> labels,
      List<String> entrypoint,
      List<String> cmd) {
    static Dockerfile read(Path file) throws IOException {
      // Continuation lines joined: one instruction per line.
      String text = Files.readString(file).replaceAll("\\\\\\n\\s*", " ");
      String runtime = text.substring(text.lastIndexOf("\nFROM "));
      Map<String, String> labels = new TreeMap<>();
      Matcher m =
          Pattern.compile("(org\\.opencontainers\\.image\\.[a-z]+)=\"([^\"]*)\"").matcher(runtime);
      while (m.find()) {
        labels.put(m.group(1), m.group(2));
      }
      String cmd = instruction(runtime, "CMD");
      return new Dockerfile(
          instruction(runtime, "USER"),
          List.of(instruction(runtime, "EXPOSE").split("\\s+")),
          labels,
          jsonArray(instruction(runtime, "ENTRYPOINT")),
          cmd == null ? List.of() : jsonArray(cmd));
    }

    private static String instruction(String text, String name) {
      Matcher m = Pattern.compile("^" + name + " (.+)$", Pattern.MULTILINE).matcher(text);
      return m.find() ? m.group(1).trim() : null;
    }

    private static List<String> jsonArray(String json) throws IOException {
      List<String> out = new ArrayList<>();
      JSON.readTree(json).forEach(n -> out.add(n.asText()));
      return out;
    }
  }
}
