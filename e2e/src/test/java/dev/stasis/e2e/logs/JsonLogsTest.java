package dev.stasis.e2e.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The log format the chart's {@code logFormat} chooses (STASIS_LOG_FORMAT), in the shipped jars
 * (the shaded ones the Dockerfiles copy, whose log4j2.xml and plugins are the ones that run): text
 * by default, one ECS JSON object per line with {@code json}, the reconciled resource as fields;
 * and a start that fails on a setting says so in one such line.
 */
class JsonLogsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT =
      Path.of(System.getProperty("stasis.root", "..")).toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("stasis.version", "0.1.0-SNAPSHOT");

  private static Path jar(String module) {
    Path jar =
        ROOT.resolve("operator/" + module + "/target/stasis-" + module + "-" + VERSION + ".jar");
    assertThat(jar).as("the shaded jar (./mvnw -B verify builds it before e2e)").exists();
    return jar;
  }

  /** Runs LogSample with the jar's own log configuration; the lines it logged. */
  private static List<String> run(String module, String format) throws Exception {
    Path testClasses =
        Path.of(LogSample.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlog4j2.configurationFile=classpath:log4j2.xml",
                "-cp",
                jar(module) + File.pathSeparator + testClasses,
                LogSample.class.getName())
            .redirectErrorStream(true);
    pb.environment().remove("STASIS_LOG_FORMAT");
    if (format != null) {
      pb.environment().put("STASIS_LOG_FORMAT", format);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    List<String> lines = new ArrayList<>();
    out.lines()
        .filter(l -> l.contains("checkpointing pod") || l.contains("upload failed"))
        .forEach(lines::add);
    assertThat(lines).as(out).hasSize(2);
    return lines;
  }

  @ParameterizedTest
  @ValueSource(strings = {"controller", "agent"})
  void jsonIsOneEcsObjectPerLineWithTheResource(String module) throws Exception {
    List<String> lines = run(module, "json");
    JsonNode info = JSON.readTree(lines.get(0));
    assertThat(info.path("log.level").asText()).isEqualTo("INFO");
    assertThat(info.path("message").asText()).isEqualTo("checkpointing pod counter");
    assertThat(info.path("log.logger").asText()).isEqualTo("dev.stasis.sample");
    assertThat(info.path("@timestamp").asText()).isNotEmpty();
    assertThat(info.path("resource.namespace").asText()).isEqualTo("shop");
    assertThat(info.path("resource.name").asText()).isEqualTo("counter-1");
    JsonNode warn = JSON.readTree(lines.get(1));
    assertThat(warn.path("log.level").asText()).isEqualTo("WARN");
    assertThat(warn.path("error.type").asText()).isEqualTo("java.io.IOException");
    assertThat(warn.path("error.message").asText()).isEqualTo("connection reset");
  }

  @ParameterizedTest
  @ValueSource(strings = {"controller", "agent"})
  void textIsTheDefault(String module) throws Exception {
    List<String> lines = run(module, null);
    assertThat(lines.get(0)).doesNotStartWith("{").contains("INFO", "checkpointing pod counter");
  }

  /** The operator with a wrong setting: exit 1 and one error line that names it, no stack trace. */
  @ParameterizedTest
  @ValueSource(strings = {"text", "json"})
  void aBadSettingStopsTheOperatorWithOneLineNamingIt(String format) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar("controller").toString())
            .redirectErrorStream(true);
    pb.environment().put("STASIS_LOG_FORMAT", format);
    pb.environment().put("STASIS_TERMINATION_DEADLINE_SPOT", "two minutes");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(1);
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(out).hasSize(1);
    assertThat(lines.get(0)).contains("STASIS_TERMINATION_DEADLINE_SPOT", "two minutes");
    if (format.equals("json")) {
      assertThat(JSON.readTree(lines.get(0)).path("log.level").asText()).isEqualTo("ERROR");
    }
  }
}
