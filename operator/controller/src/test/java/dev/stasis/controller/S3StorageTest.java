package dev.stasis.controller;

import static dev.stasis.controller.support.MockCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.storage.StorageModuleCatalog;
import dev.stasis.controller.support.InMemoryStorage;
import dev.stasis.controller.support.MockCluster;
import dev.stasis.storage.CheckpointId;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.StoreFactory;
import dev.stasis.storage.TransferOptions;
import dev.stasis.testsupport.s3.S3Server;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CheckpointStorages on a real S3 API (S3Proxy, SigV4) through the storage module: the operator
 * reads the credentials Secret, probes the bucket, and imports what it finds there.
 */
class S3StorageTest {
  static final Duration TIMEOUT = Duration.ofSeconds(40);
  @TempDir Path tmp;

  static String storage(String name, S3Server s3, String secret) {
    return "apiVersion: stasis.dev/v1alpha1\nkind: CheckpointStorage\nmetadata: {name: "
        + name
        + "}\n"
        + "spec: {s3: {bucket: ckpts, prefix: stasis, region: "
        + s3.region()
        + ", endpoint: '"
        + s3.endpoint()
        + "', forcePathStyle: true, credentialsSecret: {name: "
        + secret
        + "}}}\n";
  }

  @Test
  void theRightKeysMakeABucketAvailableWrongOnesDoNotAndWhatItHoldsIsImported() throws Exception {
    S3Server s3 = S3Server.start();
    try (s3;
        MockCluster cluster = new MockCluster(new InMemoryStorage(), tmp)) {
      s3.createBucket("ckpts");
      // A checkpoint another cluster wrote, through the storage module as its agent would.
      CheckpointStorageSpec spec =
          Serialization.unmarshal(
              "{\"s3\":{\"bucket\":\"ckpts\",\"prefix\":\"stasis\",\"region\":\""
                  + s3.region()
                  + "\",\"endpoint\":\""
                  + s3.endpoint()
                  + "\",\"forcePathStyle\":true,\"credentialsSecret\":{\"name\":\"keys\"}}}",
              CheckpointStorageSpec.class);
      var ctx =
          StoreFactory.context(
              ref ->
                  Map.of(
                      "AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey()),
              null);
      try (CheckpointRepository repo =
          new CheckpointRepository(
              StoreFactory.open("elsewhere", spec, ctx), TransferOptions.defaults())) {
        var writer =
            repo.start(
                new CheckpointId("shop", "cart", "cart-7", "7e57c0de-0000-4000-8000-000000000007"),
                "far-node",
                Instant.parse("2026-05-01T12:00:00Z"));
        byte[] archive = "cart memory".repeat(5000).getBytes(StandardCharsets.UTF_8);
        writer.putArchive(
            "cart", "shop/cart:2", new ByteArrayInputStream(archive), archive.length, null);
        writer.commit(
            new ObjectMapper()
                .readTree("{\"containers\":[{\"name\":\"cart\",\"image\":\"shop/cart:2\"}]}"));
      }

      cluster
          .client
          .secrets()
          .inNamespace(MockCluster.SYSTEM)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("good-keys")
                  .withNamespace(MockCluster.SYSTEM)
                  .endMetadata()
                  .withStringData(
                      Map.of(
                          "AWS_ACCESS_KEY_ID",
                          s3.accessKey(),
                          "AWS_SECRET_ACCESS_KEY",
                          s3.secretKey()))
                  .build())
          .create();
      cluster
          .client
          .secrets()
          .inNamespace(MockCluster.SYSTEM)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("bad-keys")
                  .withNamespace(MockCluster.SYSTEM)
                  .endMetadata()
                  .withStringData(
                      Map.of(
                          "AWS_ACCESS_KEY_ID",
                          s3.accessKey(),
                          "AWS_SECRET_ACCESS_KEY",
                          "not-the-secret"))
                  .build())
          .create();
      cluster.apply(CheckpointStorage.class, storage("s3-good", s3, "good-keys"));
      cluster.apply(CheckpointStorage.class, storage("s3-bad", s3, "bad-keys"));
      cluster.namespace("shop");

      try (StasisOperator operator =
          new StasisOperator(
              cluster.client,
              MockCluster.settings(),
              Clock.systemUTC(),
              cluster.agentClient(),
              new StorageModuleCatalog(),
              new SimpleMeterRegistry(),
              "s3-test",
              false)) {
        operator.start();
        CheckpointStorage good =
            await(
                () -> cluster.client.resources(CheckpointStorage.class).withName("s3-good").get(),
                s -> s.getStatus() != null && s.getStatus().getPhase() != null,
                TIMEOUT,
                "s3-good checked");
        assertThat(good.getStatus().getPhase())
            .as(good.getStatus().getMessage())
            .isEqualTo(StoragePhase.Available);
        assertThat(good.getStatus().getUrl()).isEqualTo("s3://ckpts/stasis");
        CheckpointStorage bad =
            await(
                () -> cluster.client.resources(CheckpointStorage.class).withName("s3-bad").get(),
                s -> s.getStatus() != null && s.getStatus().getPhase() != null,
                TIMEOUT,
                "s3-bad checked");
        assertThat(bad.getStatus().getPhase()).isEqualTo(StoragePhase.Unavailable);
        assertThat(bad.getStatus().getMessage()).startsWith("s3://ckpts/stasis is not reachable: ");
        assertThat(bad.getStatus().getConditions())
            .anySatisfy(
                c -> {
                  assertThat(c.getType()).isEqualTo("Reachable");
                  assertThat(c.getStatus()).isEqualTo("False");
                  assertThat(c.getReason()).isEqualTo("Unreachable");
                });

        Checkpoint imported =
            await(
                () ->
                    cluster
                        .client
                        .resources(Checkpoint.class)
                        .inNamespace("shop")
                        .withName("cart-7")
                        .get(),
                c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Completed,
                TIMEOUT,
                "cart-7 imported");
        assertThat(imported.getSpec().getStorage()).isEqualTo("s3-good");
        assertThat(imported.getStatus().getPath())
            .isEqualTo("s3://ckpts/stasis/shop/cart/cart-7-7e57c0de");
        assertThat(imported.getStatus().getNodeName()).isEqualTo("far-node");
        assertThat(imported.getStatus().getCompletionTime()).isEqualTo("2026-05-01T12:00:00Z");
        assertThat(imported.getStatus().getContainers())
            .singleElement()
            .satisfies(
                c -> {
                  assertThat(c.getImage()).isEqualTo("shop/cart:2");
                  assertThat(c.getArchiveBytes()).isEqualTo(55000L);
                  assertThat(c.getSha256()).matches("[0-9a-f]{64}");
                });
      }
    }
  }
}
