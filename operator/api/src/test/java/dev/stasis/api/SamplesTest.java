package dev.stasis.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.testsupport.crd.CrdValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file in samples/ is what a user would kubectl apply: it must be accepted as it is. */
class SamplesTest {
  private static final CrdValidator CRDS =
      CrdValidator.fromDirectory(GeneratedCrds.repoRoot().resolve("crds"));

  static Stream<Path> samples() throws IOException {
    return Files.list(GeneratedCrds.repoRoot().resolve("samples"))
        .filter(p -> p.toString().endsWith(".yaml"))
        .sorted();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void sampleIsAcceptedAsTheKindItClaims(Path sample) {
    List<JsonNode> documents = CrdValidator.readDocuments(sample);
    assertThat(documents).as("%s has no resource", sample).isNotEmpty();
    for (JsonNode document : documents) {
      String apiVersion = document.path("apiVersion").asText();
      String kind = document.path("kind").asText();
      if (CRDS.knows(apiVersion, kind)) {
        CrdValidator.Result result = CRDS.validateCreate(document);
        assertThat(result.errors()).as("%s (%s)", sample, kind).isEmpty();
      }
      HasMetadata parsed = Serialization.unmarshal(document.toString());
      assertThat(parsed.getKind()).as("%s", sample).isEqualTo(kind);
      assertThat(parsed.getClass().getSimpleName())
          .as("%s must parse as the fabric8 model class of %s", sample, kind)
          .isEqualTo(kind);
    }
  }

  @Test
  void theSamplesTheReadmeNamesExist() {
    Path dir = GeneratedCrds.repoRoot().resolve("samples");
    for (String name :
        List.of(
            "checkpoint.yaml",
            "restore.yaml",
            "restore-latest.yaml",
            "storage-filesystem.yaml",
            "storage-s3.yaml",
            "storage-s3-directory-bucket.yaml",
            "storage-gcs.yaml",
            "storage-global.yaml",
            "workload.yaml")) {
      assertThat(dir.resolve(name)).exists();
    }
  }

  @Test
  void defaultsAreAppliedAsTheApiServerWould() {
    JsonNode checkpoint =
        CRDS.validateCreate(
                CrdValidator.readYaml(
                    """
                    apiVersion: stasis.dev/v1alpha1
                    kind: Checkpoint
                    metadata: {name: c}
                    spec: {podName: web-0}
                    """))
            .object();
    Checkpoint parsed = Serialization.unmarshal(checkpoint.toString(), Checkpoint.class);
    assertThat(parsed.getSpec().getCompression().value()).isEqualTo("zstd");
    assertThat(parsed.getSpec().getLeaveRunning()).isTrue();
    assertThat(parsed.getSpec().getDeletionPolicy().name()).isEqualTo("Retain");
  }

  @Test
  void samplesRoundTripThroughTheJavaClasses() {
    Path dir = GeneratedCrds.repoRoot().resolve("samples");
    Checkpoint checkpoint =
        Serialization.unmarshal(
            CrdValidator.readDocuments(dir.resolve("checkpoint.yaml")).get(0).toString(),
            Checkpoint.class);
    assertThat(checkpoint.getSpec().getPodName()).isEqualTo("counter");
    assertThat(checkpoint.getSpec().getTtl()).isEqualTo("7d");
    Restore restore =
        Serialization.unmarshal(
            CrdValidator.readDocuments(dir.resolve("restore-latest.yaml")).get(0).toString(),
            Restore.class);
    assertThat(restore.getSpec().getLatestOf().getPodName()).isEqualTo("counter");
    CheckpointStorage global =
        Serialization.unmarshal(
            CrdValidator.readDocuments(dir.resolve("storage-global.yaml")).get(0).toString(),
            CheckpointStorage.class);
    assertThat(global.getSpec().backendType()).isEqualTo("replicated");
    assertThat(global.getSpec().getReplicated().effectiveWriteQuorum()).isEqualTo(2);
    CheckpointStorage local =
        Serialization.unmarshal(
            CrdValidator.readDocuments(dir.resolve("storage-filesystem.yaml")).get(0).toString(),
            CheckpointStorage.class);
    assertThat(local.getSpec().getIsDefault()).isTrue();
  }
}
