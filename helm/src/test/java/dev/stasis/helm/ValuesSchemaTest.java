package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** values.schema.json: covers every value, and refuses bad values with a message naming them. */
class ValuesSchemaTest {

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("storage: {s3: {enabled: true}}", List.of("/storage/s3", "bucket")),
        Arguments.of(
            "storage: {s3: {enabled: true, bucket: \"\"}}", List.of("/storage/s3", "bucket")),
        Arguments.of("storage: {gcs: {enabled: true}}", List.of("/storage/gcs", "bucket")),
        Arguments.of("storage: {s3: {bucket: My_Bucket}}", List.of("/storage/s3/bucket")),
        Arguments.of("storage: {s3: {match: {cloud: AKS}}}", List.of("/storage/s3/match/cloud")),
        Arguments.of("storage: {s3: {prefix: /abs}}", List.of("/storage/s3/prefix")),
        Arguments.of(
            "storage: {s3: {serverSideEncryption: {algorithm: AES256, kmsKeyId: k}}}",
            List.of("kmsKeyId")),
        Arguments.of("storage: {s3: {priority: 1001}}", List.of("/storage/s3/priority")),
        Arguments.of(
            "storage: {filesystem: {path: relative}}", List.of("/storage/filesystem/path")),
        Arguments.of(
            "storage: {global: {enabled: true, members: [only-one]}}",
            List.of("/storage/global/members")),
        Arguments.of("image: {pullPolicy: Sometimes}", List.of("/image/pullPolicy")),
        Arguments.of("image: {tag: \"bad tag\"}", List.of("/image/tag")),
        Arguments.of("agent: {image: {digest: sha256:short}}", List.of("/agent/image/digest")),
        Arguments.of("operator: {replica: 2}", List.of("replica")),
        Arguments.of("operator: {replicas: 0}", List.of("/operator/replicas")),
        Arguments.of("operator: {replicas: \"2\"}", List.of("/operator/replicas")),
        Arguments.of("operator: {logLevel: verbose}", List.of("/operator/logLevel")),
        Arguments.of("operator: {watchNamespaces: [Team_A]}", List.of("/operator/watchNamespaces")),
        Arguments.of("agent: {port: 70000}", List.of("/agent/port")),
        Arguments.of("agent: {maxConcurrentJobs: 0}", List.of("/agent/maxConcurrentJobs")),
        Arguments.of("agent: {allowedCallers: [bob]}", List.of("/agent/allowedCallers")),
        Arguments.of(
            "agent: {tolerations: [{operator: Sometimes}]}", List.of("/agent/tolerations")),
        Arguments.of(
            "agent: {kubeletCheckpointDir: var/lib}", List.of("/agent/kubeletCheckpointDir")),
        Arguments.of(
            "agent: {serviceAccount: {create: false}}", List.of("/agent/serviceAccount", "name")),
        Arguments.of("agent: {resources: {limits: {memory: lots}}}", List.of("/agent/resources")),
        Arguments.of("registry: {url: \"https://ghcr.io\"}", List.of("/registry/url")),
        Arguments.of("tls: {certManager: {duration: 90d}}", List.of("/tls/certManager/duration")),
        Arguments.of("stroage: {}", List.of("stroage")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void badValuesAreRefusedNamingTheValue(String values, List<String> mentioned) {
    String error = ChartFixture.renderErrorYaml(values + "\n");
    // Helm names the value as a JSON pointer: "at '/storage/s3/bucket': minLength: got 0, want 3".
    assertThat(error)
        .as("error for %s", values)
        .contains("values don't meet the specifications of the schema");
    for (String word : mentioned) {
      assertThat(error).as("error for %s", values).contains(word);
    }
  }

  static Stream<Arguments> crossFieldRules() {
    return Stream.of(
        Arguments.of(
            "operator: {replicas: 2, leaderElection: {enabled: false}}",
            "operator.replicas > 1 needs operator.leaderElection.enabled=true"),
        Arguments.of(
            "storage: {global: {enabled: true, members: [a, b], default: true}}",
            "only one storage may be the default, but storage.filesystem and storage.global are"),
        Arguments.of(
            "storage: {s3: {enabled: true, bucket: bkt, name: node-local}}",
            "storage.s3.name \"node-local\" is already used by storage.filesystem"),
        Arguments.of(
            "storage: {global: {enabled: true, members: [global, b]}}",
            "storage.global.members must not name the global storage itself"),
        Arguments.of(
            "storage: {global: {enabled: true, members: [a, b], writeQuorum: 3}}",
            "storage.global.writeQuorum cannot exceed the number of storage.global.members"),
        Arguments.of(
            "storage: {filesystem: {path: /var/lib/stasis/journal}}",
            "agent.kubeletCheckpointDir, agent.journalDir and storage.filesystem.path must differ"),
        Arguments.of(
            "tls: {existingSecret: mine, certManager: {enabled: true}}",
            "set either tls.existingSecret or tls.certManager.enabled, not both"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("crossFieldRules")
  void rulesAcrossValuesAreCheckedByTheTemplates(String values, String message) {
    assertThat(ChartFixture.renderErrorYaml(values + "\n")).contains(message);
  }

  @Test
  void setFlagsAreCheckedToo() {
    assertThat(ChartFixture.renderError(Map.of("image.pullPolicy", "Sometimes")))
        .contains("at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'");
  }

  @Test
  void everyValueInValuesYamlIsTypedInTheSchema() throws Exception {
    JsonNode values =
        ChartFixture.YAML.readTree(ChartFixture.chartDir().resolve("values.yaml").toFile());
    JsonNode schema =
        ChartFixture.JSON.readTree(ChartFixture.chartDir().resolve("values.schema.json").toFile());
    List<String> missing = new ArrayList<>();
    walk(values, schema, "", missing);
    assertThat(missing).as("values without a typed schema entry").isEmpty();
  }

  @Test
  void everySchemaPropertyHasADefaultInValuesYaml() throws Exception {
    JsonNode values =
        ChartFixture.YAML.readTree(ChartFixture.chartDir().resolve("values.yaml").toFile());
    JsonNode schema =
        ChartFixture.JSON.readTree(ChartFixture.chartDir().resolve("values.schema.json").toFile());
    List<String> undefaulted = new ArrayList<>();
    reverse(schema, values, "", undefaulted);
    assertThat(undefaulted)
        .as("schema properties missing from values.yaml")
        .containsExactly(".global");
  }

  @Test
  void theSchemaIsDraft07() throws Exception {
    JsonNode schema =
        ChartFixture.JSON.readTree(ChartFixture.chartDir().resolve("values.schema.json").toFile());
    assertThat(schema.get("$schema").asText()).isEqualTo("http://json-schema.org/draft-07/schema#");
    assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
  }

  /** Every key of values.yaml has a schema property with a type, all the way down. */
  private static void walk(JsonNode value, JsonNode schema, String path, List<String> missing) {
    if (!schema.has("type")) {
      missing.add(path + " (no type)");
      return;
    }
    if (value.isObject() && schema.has("properties")) {
      for (Map.Entry<String, JsonNode> e : value.properties()) {
        JsonNode child = schema.get("properties").get(e.getKey());
        if (child == null) {
          missing.add(path + "." + e.getKey());
        } else {
          walk(e.getValue(), child, path + "." + e.getKey(), missing);
        }
      }
    }
  }

  /**
   * Every schema property has a default in values.yaml, except inside maps left empty for users.
   */
  private static void reverse(JsonNode schema, JsonNode value, String path, List<String> missing) {
    if (!schema.has("properties") || (value.isObject() && value.isEmpty() && !path.isEmpty())) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : schema.get("properties").properties()) {
      if (!value.has(e.getKey())) {
        missing.add(path + "." + e.getKey());
      } else {
        reverse(e.getValue(), value.get(e.getKey()), path + "." + e.getKey(), missing);
      }
    }
  }
}
