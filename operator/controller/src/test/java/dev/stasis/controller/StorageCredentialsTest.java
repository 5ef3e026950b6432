package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials Secrets and replicated storages, as the operator resolves them for the agent. */
class StorageCredentialsTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  @TempDir static Path tmp;
  static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster(new InMemoryStorage(), tmp);
    cluster.node("n1", "kind://n1", Map.of(), true);
    cluster
        .client
        .secrets()
        .inNamespace(MockCluster.SYSTEM)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("s3-creds")
                .withNamespace(MockCluster.SYSTEM)
                .endMetadata()
                .withStringData(
                    Map.of(
                        "AWS_ACCESS_KEY_ID",
                        "AKIAEXAMPLE",
                        "AWS_SECRET_ACCESS_KEY",
                        "secret-value"))
                .build())
        .create();
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: minio}
        spec: {s3: {bucket: ckpts, endpoint: 'http://minio.example:9000', forcePathStyle: true, credentialsSecret: {name: s3-creds}}}
        """);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: gcs-b}
        spec: {gcs: {bucket: other-bucket}}
        """);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: global}
        spec: {replicated: {members: [minio, gcs-b]}}
        """);
    cluster.apply(
        CheckpointStorage.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: CheckpointStorage
        metadata: {name: no-secret}
        spec: {s3: {bucket: ckpts2, credentialsSecret: {name: missing, namespace: elsewhere}}}
        """);
    cluster.namespace("app");
    cluster.startOperator(MockCluster.settings());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static CheckpointStorage checked(String name) {
    return await(
        () -> cluster.client.resources(CheckpointStorage.class).withName(name).get(),
        s -> s.getStatus() != null && s.getStatus().getPhase() != null,
        TIMEOUT,
        name + " checked");
  }

  @Test
  void storagesShowTheirTypeUrlAndAMissingSecretMakesOneUnavailable() {
    CheckpointStorage minio = checked("minio");
    assertThat(minio.getStatus().getPhase()).isEqualTo(StoragePhase.Available);
    assertThat(minio.getStatus().getType()).isEqualTo("s3");
    assertThat(minio.getStatus().getUrl()).isEqualTo("s3://ckpts");
    assertThat(minio.getStatus().getLastValidated()).isNotNull();
    CheckpointStorage global = checked("global");
    assertThat(global.getStatus().getType()).isEqualTo("replicated");
    assertThat(global.getStatus().getUrl()).isEqualTo("stasis://global");
    CheckpointStorage broken = checked("no-secret");
    assertThat(broken.getStatus().getPhase()).isEqualTo(StoragePhase.Unavailable);
    assertThat(broken.getStatus().getMessage())
        .isEqualTo(
            "credentials Secret elsewhere/missing of CheckpointStorage 'no-secret' does not exist");
    assertThat(broken.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getReason()).isEqualTo("CredentialsNotFound");
            });
  }

  @Test
  void theAgentGetsTheSpecAndTheSecretsValuesOfEveryMember() {
    cluster.pod("app", "db", "n1", "Running", Map.of(), "db");
    cluster.apply(
        Checkpoint.class,
        """
        apiVersion: stasis.dev/v1alpha1
        kind: Checkpoint
        metadata: {name: db-global, namespace: app}
        spec: {podName: db, storage: global, compression: lz4}
        """);
    Checkpoint done =
        await(
            () ->
                cluster
                    .client
                    .resources(Checkpoint.class)
                    .inNamespace("app")
                    .withName("db-global")
                    .get(),
            c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Completed,
            TIMEOUT,
            "Completed");
    assertThat(done.getStatus().getPath()).startsWith("stasis://global/app/db/db-global-");
    var request = cluster.agents.get("n1").lastCheckpointRequest;
    assertThat(request.getDestinationUri()).isEqualTo("stasis://global");
    assertThat(request.getCompression().name()).isEqualTo("COMPRESSION_LZ4");
    assertThat(request.getPodName()).isEqualTo("db");
    assertThat(request.getContainersList()).extracting(c -> c.getName()).containsExactly("db");
    assertThat(request.getPodSpecJson()).contains("\"nodeName\":\"n1\"");
    var storage = request.getStorage();
    assertThat(storage.getName()).isEqualTo("global");
    assertThat(storage.getSpecJson()).contains("\"replicated\"");
    assertThat(storage.getMembersList())
        .extracting(m -> m.getName())
        .containsExactly("minio", "gcs-b");
    var minio = storage.getMembers(0);
    assertThat(minio.getSpecJson()).contains("http://minio.example:9000");
    assertThat(minio.getCredentialsMap().get("AWS_ACCESS_KEY_ID").toStringUtf8())
        .isEqualTo("AKIAEXAMPLE");
    assertThat(minio.getCredentialsMap().get("AWS_SECRET_ACCESS_KEY").toStringUtf8())
        .isEqualTo("secret-value");
    assertThat(storage.getMembers(1).getCredentialsMap()).isEmpty();
    // Never shown to users.
    assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(done))
        .doesNotContain("secret-value");
  }
}
