package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.testsupport.crd.CrdValidator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The CheckpointStorage objects the storage.* values render, checked against the CRDs. */
class CheckpointStorageTest {
  private static final CrdValidator CRDS =
      CrdValidator.fromDirectory(ChartFixture.repoRoot().resolve("crds"));

  private static final String S3_ALL =
      """
      storage:
        s3:
          enabled: true
          bucket: stasis--use1-az4--x-s3
          prefix: ckpt/prod
          region: us-east-1
          endpoint: https://s3.us-east-1.amazonaws.com
          forcePathStyle: true
          storageClass: EXPRESS_ONEZONE
          serverSideEncryption: {algorithm: "aws:kms", kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k"}
          credentialsSecret: aws-keys
          match: {cloud: EKS, nodeSelector: {topology.k8s.aws/zone-id: use1-az4}}
          priority: 20
      """;

  static Stream<Arguments> variants() {
    Stream<Arguments> files =
        ChartFixture.shippedValuesFiles().stream()
            .map(p -> Arguments.of(p.getFileName().toString(), ChartFixture.render(p)));
    return Stream.concat(
        Stream.of(
            Arguments.of("defaults", ChartFixture.renderDefaults()),
            Arguments.of("every s3 field", ChartFixture.renderYaml(S3_ALL))),
        files);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyRenderedStorageIsAcceptedByTheCrd(String variant, ChartFixture.Rendered rendered) {
    List<ChartFixture.Manifest> storages = rendered.ofKind("CheckpointStorage");
    assertThat(storages).as(variant).isNotEmpty();
    for (ChartFixture.Manifest m : storages) {
      assertThat(m.apiVersion()).isEqualTo("stasis.dev/v1alpha1");
      CrdValidator.Result result = CRDS.validateCreate(m.json());
      assertThat(result.errors()).as("%s in %s", m.name(), variant).isEmpty();
      assertThat(UnknownFields.of(m.as(CheckpointStorage.class))).isEmpty();
    }
    long defaults =
        storages.stream().filter(m -> m.json().at("/spec/default").asBoolean(false)).count();
    assertThat(defaults).as("at most one default storage (%s)", variant).isLessThanOrEqualTo(1);
  }

  @Test
  void theValidatorWouldRejectABrokenStorage() {
    // Guards the test above: the validator must see these objects as the API server would.
    JsonNode storage =
        ChartFixture.renderDefaults().get("CheckpointStorage", "node-local").json().deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) storage.at("/spec/filesystem"))
        .put("path", "relative/dir");
    assertThat(CRDS.validateCreate(storage).errors()).isNotEmpty();
  }

  @Test
  void aFreshInstallHasTheNodeLocalDefault() {
    JsonNode spec =
        ChartFixture.renderDefaults().get("CheckpointStorage", "node-local").json().get("spec");
    assertThat(spec.at("/filesystem/path").asText()).isEqualTo("/var/lib/stasis/checkpoints");
    assertThat(spec.get("default").asBoolean()).isTrue();
    assertThat(spec.has("match")).isFalse();
    assertThat(ChartFixture.renderDefaults().ofKind("CheckpointStorage")).hasSize(1);
  }

  @Test
  void eksSendsEksNodesToS3AndKeepsTheDefault() {
    ChartFixture.Rendered r = ChartFixture.render(example("values-eks.yaml"));
    assertThat(r.ofKind("CheckpointStorage"))
        .extracting(ChartFixture.Manifest::name)
        .containsExactlyInAnyOrder("node-local", "s3-eks");
    JsonNode spec = r.get("CheckpointStorage", "s3-eks").json().get("spec");
    assertThat(spec.at("/s3/bucket").asText()).isEqualTo("my-stasis-checkpoints");
    assertThat(spec.at("/s3/region").asText()).isEqualTo("us-east-1");
    assertThat(spec.at("/s3/prefix").asText()).isEqualTo("checkpoints");
    assertThat(spec.at("/s3/serverSideEncryption/algorithm").asText()).isEqualTo("aws:kms");
    assertThat(spec.at("/s3/credentialsSecret").isMissingNode()).as("IRSA, no keys").isTrue();
    assertThat(spec.at("/match/cloud").asText()).isEqualTo("EKS");
    assertThat(spec.get("priority").asInt()).isEqualTo(10);
    assertThat(spec.has("default")).isFalse();
  }

  @Test
  void gkeSendsGkeNodesToGcs() {
    ChartFixture.Rendered r = ChartFixture.render(example("values-gke.yaml"));
    JsonNode spec = r.get("CheckpointStorage", "gcs-gke").json().get("spec");
    assertThat(spec.at("/gcs/bucket").asText()).isEqualTo("my-stasis-checkpoints");
    assertThat(spec.at("/gcs/project").asText()).isEqualTo("my-project");
    assertThat(spec.at("/gcs/prefix").asText()).isEqualTo("checkpoints");
    assertThat(spec.at("/match/cloud").asText()).isEqualTo("GKE");
    assertThat(spec.get("priority").asInt()).isEqualTo(10);
  }

  @Test
  void theGlobalStoreReplicatesOverBothCloudsAndIsTheOnlyDefault() {
    ChartFixture.Rendered r = ChartFixture.render(example("values-global.yaml"));
    assertThat(r.ofKind("CheckpointStorage"))
        .extracting(ChartFixture.Manifest::name)
        .containsExactlyInAnyOrder("s3-eks", "gcs-gke", "global");
    JsonNode global = r.get("CheckpointStorage", "global").json().get("spec");
    assertThat(global.at("/replicated/members").toString()).isEqualTo("[\"s3-eks\",\"gcs-gke\"]");
    assertThat(global.at("/replicated/writeQuorum").asInt()).isEqualTo(2);
    assertThat(global.get("default").asBoolean()).isTrue();
    for (String member : List.of("s3-eks", "gcs-gke")) {
      JsonNode spec = r.get("CheckpointStorage", member).json().get("spec");
      assertThat(spec.has("match"))
          .as("%s is only reached through the global store", member)
          .isFalse();
      assertThat(
              spec.at(
                      "/"
                          + (member.startsWith("s3") ? "s3" : "gcs")
                          + "/credentialsSecret/namespace")
                  .asText())
          .isEqualTo(ChartFixture.NAMESPACE);
    }
  }

  @Test
  void everyS3FieldIsMappedToTheCrdField() {
    JsonNode s3 = ChartFixture.renderYaml(S3_ALL).get("CheckpointStorage", "s3-eks").json();
    assertThat(s3.get("spec").toString())
        .isEqualTo(
            ChartFixture.JSON
                .createObjectNode()
                .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                    "s3",
                    ChartFixture.JSON
                        .createObjectNode()
                        .put("bucket", "stasis--use1-az4--x-s3")
                        .put("prefix", "ckpt/prod")
                        .put("region", "us-east-1")
                        .put("endpoint", "https://s3.us-east-1.amazonaws.com")
                        .put("forcePathStyle", true)
                        .put("storageClass", "EXPRESS_ONEZONE")
                        .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                            "serverSideEncryption",
                            ChartFixture.JSON
                                .createObjectNode()
                                .put("algorithm", "aws:kms")
                                .put("kmsKeyId", "arn:aws:kms:us-east-1:111122223333:key/k"))
                        .set(
                            "credentialsSecret",
                            ChartFixture.JSON
                                .createObjectNode()
                                .put("name", "aws-keys")
                                .put("namespace", ChartFixture.NAMESPACE)))
                .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                    "match",
                    ChartFixture.JSON
                        .createObjectNode()
                        .put("cloud", "EKS")
                        .set(
                            "nodeSelector",
                            ChartFixture.JSON
                                .createObjectNode()
                                .put("topology.k8s.aws/zone-id", "use1-az4")))
                .put("priority", 20)
                .toString());
  }

  @Test
  void storageNamesAreValues() {
    ChartFixture.Rendered r =
        ChartFixture.render(
            Map.of(
                "storage.filesystem.name", "local",
                "storage.gcs.enabled", true,
                "storage.gcs.bucket", "b-1",
                "storage.gcs.name", "gcs"));
    assertThat(r.ofKind("CheckpointStorage"))
        .extracting(ChartFixture.Manifest::name)
        .containsExactlyInAnyOrder("local", "gcs");
  }

  private static Path example(String name) {
    return ChartFixture.examplesDir().resolve(name);
  }
}
