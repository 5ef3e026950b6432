package dev.stasis.agent.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.storage.cli.ProgressBar;
import dev.stasis.testsupport.time.SettableClock;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The plugin without a cluster: its launcher, usage errors and exit codes, names, and how {@code
 * --wait} ends. Against a cluster: e2e KubectlPluginTest.
 */
class KubectlStasisTest {
  static final Path LAUNCHER = Path.of("src/main/dist/kubectl-stasis");

  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = KubectlStasis.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  static Run launch(Path launcher, Map<String, String> env, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", launcher.toString());
    pb.command().addAll(java.util.List.of(args));
    pb.environment().remove("STASIS_JAR");
    pb.environment().putAll(env);
    pb.environment()
        .put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, err);
  }

  @Test
  void theLauncherRunsThePluginFromTheJarItIsGiven() throws Exception {
    assertThat(Files.isExecutable(LAUNCHER)).isTrue();
    Run help =
        launch(LAUNCHER, Map.of("STASIS_JAR", System.getProperty("java.class.path")), "--help");
    assertThat(help.code()).as(help.err()).isZero();
    assertThat(help.out())
        .contains("Usage: kubectl stasis", "checkpoint", "restore", "ls", "describe")
        .contains("Exit codes: 0 done; 1 the checkpoint or restore Failed");

    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path copy = Files.copy(LAUNCHER, bin.resolve("kubectl-stasis"));
    Run noJar = launch(copy, Map.of());
    assertThat(noJar.code()).isEqualTo(3);
    assertThat(noJar.err()).contains("no stasis-agent.jar or stasis-agent-<version>.jar in " + bin);
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("checkpoint").code()).isEqualTo(2);
    Run noSource = run("restore", "web-0");
    assertThat(noSource.code()).isEqualTo(2);
    assertThat(noSource.err()).startsWith("error: ").contains("--latest", "--checkpoint");
    Run both = run("restore", "web-0", "--latest", "--checkpoint", "x");
    assertThat(both.code()).isEqualTo(2);
    Run storageAndDir = run("checkpoint", "web-0", "--storage", "a", "--dir", "s3://b/c");
    assertThat(storageAndDir.code()).isEqualTo(2);
    assertThat(storageAndDir.err()).contains("mutually exclusive");
    Run xml = run("ls", "-o", "xml");
    assertThat(xml.code()).isEqualTo(2);
    assertThat(xml.err().strip()).isEqualTo("error: -o must be json or yaml, not 'xml'");
    Run kind = run("describe", "pod", "x");
    assertThat(kind.code()).isEqualTo(2);
    Run noCommand = run();
    assertThat(noCommand.code()).isEqualTo(2);
    assertThat(noCommand.err()).contains("checkpoint, restore, ls or describe");
  }

  @Test
  void anUnreachableApiServerExitsThree() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path kubeconfig =
        Files.writeString(
            tmp.resolve("config"),
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server:"
                + " http://127.0.0.1:"
                + port
                + "\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: x\n  context:\n"
                + "    cluster: c\n    user: u\ncurrent-context: x\n");
    long start = System.nanoTime();
    Run r = run("ls", "--kubeconfig", kubeconfig.toString());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).startsWith("error: ").doesNotContain("\n\t");
    Run missingConfig = run("ls", "--kubeconfig", tmp.resolve("none").toString());
    assertThat(missingConfig.code()).isEqualTo(2);
  }

  @Test
  void generatedNamesAreKubernetesNamesWithAFiveCharacterSuffix() {
    GeneratedNames names = new GeneratedNames(new Random(1));
    assertThat(names.generate("web-0-")).matches("web-0-[bcdfghjklmnpqrstvwxz2456789]{5}");
    String longName = names.generate("p".repeat(80) + "-restore-");
    assertThat(longName).hasSize(63).startsWith("p".repeat(58));
  }

  @Test
  void waitEndsAtTheFinalPhaseOrTheTimeout() {
    SettableClock clock = new SettableClock(Instant.parse("2026-12-04T18:00:00Z"));
    StringWriter drawn = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(drawn), 100, clock);
    GenericKubernetesResource[] states = {
      checkpoint("Checkpointing", null),
      checkpoint("Uploading", 1_048_576L),
      checkpoint("Failed", null)
    };
    int[] reads = {0};
    Waiter waiter =
        new Waiter(
            StasisKind.CHECKPOINT,
            "web-0-x7k2p",
            () -> {
              clock.advance(Duration.ofSeconds(1));
              return states[Math.min(reads[0]++, states.length - 1)];
            },
            bar,
            clock,
            Duration.ZERO);
    GenericKubernetesResource end = waiter.await(Duration.ofMinutes(1));
    assertThat(StasisKind.phase(end)).isEqualTo("Failed");
    assertThat(StasisKind.failure(end)).isEqualTo("PodNotFound: pod web-0 not found");
    assertThat(drawn.toString())
        .startsWith("\rweb-0-x7k2p Checkpointing 0:01\r")
        .contains("\rweb-0-x7k2p Uploading 0:02  [", "\rweb-0-x7k2p Failed 0:03  [")
        .contains("50%  1.0 MiB / 2.0 MiB")
        .endsWith(System.lineSeparator());

    Waiter slow =
        new Waiter(
            StasisKind.CHECKPOINT,
            "web-0-x7k2p",
            () -> {
              clock.advance(Duration.ofSeconds(30));
              return checkpoint("Uploading", 10L);
            },
            null,
            clock,
            Duration.ZERO);
    assertThatThrownBy(() -> slow.await(Duration.ofSeconds(90)))
        .isInstanceOfSatisfying(
            PluginException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.TIMEOUT))
        .hasMessage(
            "timed out after 90s waiting for checkpoint.stasis.dev/web-0-x7k2p (phase Uploading);"
                + " it goes on: kubectl stasis describe checkpoint web-0-x7k2p");

    // The API server away for a moment, then back: the wait goes on.
    int[] calls = {0};
    Waiter flaky =
        new Waiter(
            StasisKind.RESTORE,
            "r",
            () -> {
              clock.advance(Duration.ofSeconds(5));
              if (calls[0]++ < 2) {
                throw new KubernetesClientException("connection refused");
              }
              return restore("Running");
            },
            null,
            clock,
            Duration.ZERO);
    assertThat(StasisKind.phase(flaky.await(Duration.ofMinutes(1)))).isEqualTo("Running");
    assertThat(calls[0]).isEqualTo(3);
    Waiter refused =
        new Waiter(
            StasisKind.RESTORE,
            "r",
            () -> {
              throw new KubernetesClientException("forbidden", 403, null);
            },
            null,
            clock,
            Duration.ZERO);
    assertThatThrownBy(() -> refused.await(Duration.ofMinutes(1)))
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("forbidden");

    Waiter deleted = new Waiter(StasisKind.RESTORE, "r", () -> null, null, clock, Duration.ZERO);
    assertThatThrownBy(() -> deleted.await(Duration.ofSeconds(1)))
        .isInstanceOfSatisfying(
            PluginException.class,
            e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND_OR_API_ERROR))
        .hasMessage("restore.stasis.dev/r was deleted while waiting");
  }

  private static GenericKubernetesResource restore(String phase) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setAdditionalProperty("status", Map.of("phase", phase));
    return r;
  }

  private static GenericKubernetesResource checkpoint(String phase, Long bytesDone) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    Map<String, Object> status = new java.util.LinkedHashMap<>();
    status.put("phase", phase);
    if (bytesDone != null) {
      status.put("progress", Map.of("bytesDone", bytesDone, "totalBytes", 2 * 1_048_576L));
    }
    if (phase.equals("Failed")) {
      status.put("message", "pod web-0 not found");
      status.put(
          "conditions",
          java.util.List.of(Map.of("type", "Ready", "status", "False", "reason", "PodNotFound")));
    }
    r.setAdditionalProperty("status", status);
    return r;
  }
}
