package dev.stasis.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.testsupport.crd.CrdValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus in src/test/resources/invalid: each file is one resource a user might write by
 * mistake, with one or more {@code # expect: <text>} lines. The resource must be rejected, and
 * every expected text must appear in one error, so that the user is told which field is wrong.
 */
class InvalidResourcesTest {
  private static final CrdValidator CRDS =
      CrdValidator.fromDirectory(GeneratedCrds.repoRoot().resolve("crds"));
  private static final Path CORPUS = Path.of("src", "test", "resources", "invalid");

  static Stream<Path> corpus() throws IOException {
    return Files.list(CORPUS).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void isRejectedWithAMessageNamingTheField(Path file) throws IOException {
    String text = Files.readString(file);
    List<String> expected =
        text.lines()
            .filter(l -> l.startsWith("# expect: "))
            .map(l -> l.substring("# expect: ".length()))
            .toList();
    assertThat(expected).as("%s has no '# expect:' line", file).isNotEmpty();
    List<String> errors = CRDS.validateCreate(CrdValidator.readYaml(text)).errors();
    assertThat(errors).as("%s must be rejected", file).isNotEmpty();
    for (String message : expected) {
      assertThat(errors).as("%s", file).anySatisfy(e -> assertThat(e).contains(message));
    }
  }

  @Test
  void theCorpusCoversTheCasesUsersHit() throws IOException {
    assertThat(corpus().map(p -> p.getFileName().toString()))
        .contains(
            "checkpoint-missing-podname.yaml",
            "checkpoint-storage-and-dir.yaml",
            "checkpoint-unknown-scheme.yaml",
            "checkpoint-bad-compression.yaml",
            "checkpoint-negative-ttl.yaml",
            "storage-two-backends.yaml",
            "restore-no-source.yaml");
  }

  @Test
  void specFieldsThatDefineACheckpointCannotChangeAfterCreation() {
    var old =
        CrdValidator.readYaml(
            """
            apiVersion: stasis.dev/v1alpha1
            kind: Checkpoint
            metadata: {name: c}
            spec: {podName: web-0, ttl: 1h}
            """);
    var renamed =
        CrdValidator.readYaml(
            """
            apiVersion: stasis.dev/v1alpha1
            kind: Checkpoint
            metadata: {name: c}
            spec: {podName: web-1, ttl: 1h}
            """);
    var longerTtl =
        CrdValidator.readYaml(
            """
            apiVersion: stasis.dev/v1alpha1
            kind: Checkpoint
            metadata: {name: c}
            spec: {podName: web-0, ttl: 2h}
            """);
    var oldDefaulted = CRDS.validateCreate(old).object();
    assertThat(CRDS.validateUpdate(renamed, oldDefaulted).errors())
        .containsExactly("spec.podName: Invalid value: \"string\": podName is immutable");
    assertThat(CRDS.validateUpdate(longerTtl, oldDefaulted).errors()).isEmpty();
  }

  @Test
  void aRestoreCannotChangeAfterCreation() {
    var old =
        CrdValidator.readYaml(
            """
            apiVersion: stasis.dev/v1alpha1
            kind: Restore
            metadata: {name: r}
            spec: {checkpointName: a}
            """);
    var changed =
        CrdValidator.readYaml(
            """
            apiVersion: stasis.dev/v1alpha1
            kind: Restore
            metadata: {name: r}
            spec: {checkpointName: b}
            """);
    assertThat(CRDS.validateUpdate(changed, old).errors())
        .containsExactly(
            "spec: Invalid value: \"object\": spec is immutable; create a new Restore");
  }
}
