package dev.stasis.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Fails when the CRDs checked in under crds/ and helm/stasis/crds/ differ from what the classes
 * generate. With -Dstasis.updateCrds=true it rewrites them instead.
 */
class CrdDriftTest {
  static final String REGENERATE = "./mvnw -B -pl operator/api -am verify -Dstasis.updateCrds=true";

  static final java.util.List<Class<? extends HasMetadata>> KINDS = GeneratedCrds.KINDS;

  @ParameterizedTest
  @FieldSource("KINDS")
  void checkedInCrdsMatchTheClasses(Class<? extends HasMetadata> kind) throws IOException {
    String expected = GeneratedCrds.render(kind);
    for (Path dir : new Path[] {Path.of("crds"), Path.of("helm", "stasis", "crds")}) {
      Path file = GeneratedCrds.repoRoot().resolve(dir).resolve(GeneratedCrds.fileName(kind));
      if (Boolean.getBoolean("stasis.updateCrds")) {
        GeneratedCrds.write(file, expected);
      }
      assertThat(Files.exists(file))
          .as("%s is missing; regenerate with: %s", file, REGENERATE)
          .isTrue();
      assertThat(Files.readString(file))
          .as(
              "%s differs from the CRD generated from %s; regenerate with: %s",
              file, kind.getSimpleName(), REGENERATE)
          .isEqualTo(expected);
    }
  }
}
