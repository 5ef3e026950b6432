package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** `helm lint --strict` with the chart's defaults and with every values file it ships. */
class ChartLintTest {

  @Test
  void defaultValuesLintCleanly() {
    LintResult result = ChartFixture.lint();
    assertThat(result.isFailed()).as("helm lint: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .as("no warnings or errors, only the optional icon hint")
        .allSatisfy(message -> assertThat(message).startsWith("[INFO]"));
  }

  static Stream<Path> valuesFiles() {
    return ChartFixture.shippedValuesFiles().stream();
  }

  @Test
  void theExampleValuesFilesTheDocsNameAreShipped() {
    assertThat(ChartFixture.shippedValuesFiles())
        .extracting(p -> p.getFileName().toString())
        .contains("values-eks.yaml", "values-gke.yaml", "values-global.yaml");
  }

  @ParameterizedTest
  @MethodSource("valuesFiles")
  void shippedValuesFileLintsCleanly(Path valuesFile, @TempDir Path work) {
    LintResult result = ChartFixture.lint(valuesFile, work);
    assertThat(result.isFailed())
        .as("helm lint with %s: %s", valuesFile.getFileName(), result.getMessages())
        .isFalse();
    assertThat(result.getMessages()).allSatisfy(m -> assertThat(m).startsWith("[INFO]"));
  }

  @Test
  void lintReportsABrokenValuesFile(@TempDir Path work) throws Exception {
    // The lint helper must be able to fail, or the tests above prove nothing.
    Path bad = work.resolve("bad.yaml");
    java.nio.file.Files.writeString(bad, "image:\n  pullPolicy: Sometimes\n");
    LintResult result = ChartFixture.lint(bad, work.resolve("chart"));
    assertThat(result.isFailed()).isTrue();
    assertThat(String.join("\n", result.getMessages())).contains("pullPolicy");
  }
}
