package dev.stasis.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void everyCommandHasHelp() {
    assertThat(Main.commandLine().getSubcommands().keySet())
        .containsExactlyInAnyOrder("serve", "dump", "image", "cp", "ls", "verify", "rm");
    for (String c : Main.commandLine().getSubcommands().keySet()) {
      Run r = run(c, "--help");
      assertThat(r.code()).as(c).isZero();
      assertThat(r.out()).as(c).contains("Usage: stasis " + c);
    }
    // The storage commands are the storage module's, with its options.
    for (String c : List.of("cp", "ls", "verify", "rm")) {
      assertThat(Main.commandLine().getSubcommands().get(c).getCommand().getClass().getName())
          .as(c)
          .startsWith("dev.stasis.storage.cli.");
      assertThat(run(c, "--help").out()).as(c).contains("--endpoint");
    }
  }

  @Test
  void errorsAreOneLineAndNonZero() {
    Run r = run("dump", "--pod", "no-slash", "--container", "app", "--dir", "file:///tmp/x");
    assertThat(r.code()).isNotZero();
    assertThat(r.err().strip()).startsWith("error:").doesNotContain("\n");
    Run missing = run("image", "--path", "file:///tmp/x");
    assertThat(missing.code()).isNotZero();
    assertThat(missing.err()).contains("--to");
  }

  @Test
  void configFromEnvironmentHasTheDocumentedDefaults() {
    AgentConfig c = AgentConfig.fromEnv(Map.of("NODE_NAME", "n1"));
    assertThat(c.port()).isEqualTo(9443);
    assertThat(c.kubeletPort()).isEqualTo(10250);
    assertThat(c.metricsPort()).isEqualTo(9090);
    assertThat(c.maxConcurrentJobs()).isEqualTo(2);
    assertThat(c.keepKubeletArchives()).isFalse();
    assertThat(c.checkpointDir().toString()).isEqualTo("/var/lib/kubelet/checkpoints");
    assertThat(c.kubeletHost()).isEqualTo("n1");
    assertThat(c.tokenAudience()).isEmpty(); // no audience binding outside the chart
    assertThat(c.registryRepository()).isEmpty();
    assertThat(c.tlsKey().toString()).isEqualTo("/etc/stasis/tls/tls.key");
    AgentConfig d =
        AgentConfig.fromEnv(
            Map.of(
                "NODE_NAME", "n1",
                "STASIS_ALLOWED_CALLERS", "a, b,,c",
                "STASIS_BANDWIDTH_LIMIT", "100Mi",
                "STASIS_TOKEN_REVIEW_CACHE_TTL", "2m"));
    assertThat(d.allowedCallers()).containsExactly("a", "b", "c");
    assertThat(d.bandwidthBytesPerSecond()).isEqualTo(100L * 1024 * 1024);
    assertThat(d.tokenReviewCacheTtl()).isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(
            () -> AgentConfig.fromEnv(Map.of("NODE_NAME", "n1", "STASIS_MAX_CONCURRENT_JOBS", "0")))
        .hasMessageContaining("STASIS_MAX_CONCURRENT_JOBS");
    assertThatThrownBy(
            () ->
                AgentConfig.fromEnv(
                    Map.of("NODE_NAME", "n1", "STASIS_KEEP_KUBELET_ARCHIVES", "maybe")))
        .hasMessageContaining("STASIS_KEEP_KUBELET_ARCHIVES");
  }
}
