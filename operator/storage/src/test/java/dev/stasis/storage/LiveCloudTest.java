package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stasis.storage.gcs.GcsClients;
import dev.stasis.storage.gcs.GcsObjectStore;
import dev.stasis.storage.s3.S3ObjectStore;
import dev.stasis.storage.s3.S3Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against real clouds, only when asked: STASIS_S3_TEST_BUCKET (general purpose bucket),
 * STASIS_S3_TEST_DIRECTORY_BUCKET (name--az-id--x-s3) with AWS credentials from the default chain
 * and AWS_REGION; STASIS_GCS_TEST_BUCKET with Application Default Credentials. Skipped with a
 * message otherwise.
 */
class LiveCloudTest {
  @TempDir Path tmp;

  private void roundTrip(ObjectStore store, String prefix) throws Exception {
    try (CheckpointRepository repo =
        new CheckpointRepository(
            new StorageLocation(store, prefix),
            TransferOptions.defaults().withPartSize(S3Settings.AWS_MIN_PART_SIZE))) {
      byte[] archive = S3Fixture.archive(12 * 1024 * 1024, 77);
      CheckpointId id =
          new CheckpointId("stasis-test", "pod", "live", UUID.randomUUID().toString());
      S3StoreTest.write(repo, id, Instant.now(), archive);
      try {
        assertThat(repo.list("stasis-test", "pod")).anyMatch(e -> e.uri().equals(repo.uriOf(id)));
        Path target = tmp.resolve("app.tar");
        repo.readArchive(repo.uriOf(id), "app", target, null);
        assertThat(Files.readAllBytes(target)).isEqualTo(archive);
      } finally {
        repo.delete(repo.uriOf(id));
      }
    }
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? null : v;
  }

  @Test
  void realS3GeneralPurposeBucket() throws Exception {
    String bucket = env("STASIS_S3_TEST_BUCKET");
    assumeTrue(bucket != null, "STASIS_S3_TEST_BUCKET not set: live S3 test skipped");
    roundTrip(
        S3ObjectStore.create(bucket, S3Settings.fromEnvironment(System.getenv())), "stasis-live");
  }

  @Test
  void realS3DirectoryBucket() throws Exception {
    String bucket = env("STASIS_S3_TEST_DIRECTORY_BUCKET");
    assumeTrue(
        bucket != null, "STASIS_S3_TEST_DIRECTORY_BUCKET not set: live S3 Express test skipped");
    assertThat(S3Settings.isDirectoryBucket(bucket)).as("a name--<az-id>--x-s3 bucket").isTrue();
    roundTrip(
        S3ObjectStore.create(bucket, S3Settings.fromEnvironment(System.getenv())), "stasis-live");
  }

  @Test
  void realGcsBucket() throws Exception {
    String bucket = env("STASIS_GCS_TEST_BUCKET");
    assumeTrue(bucket != null, "STASIS_GCS_TEST_BUCKET not set: live GCS test skipped");
    assumeTrue(
        env("GOOGLE_APPLICATION_CREDENTIALS") != null
            || Files.exists(
                Path.of(
                    System.getProperty("user.home"),
                    ".config/gcloud/application_default_credentials.json"))
            || env("GCE_METADATA_HOST") != null,
        "no Google credentials (GOOGLE_APPLICATION_CREDENTIALS or gcloud ADC): live GCS test skipped");
    roundTrip(new GcsObjectStore(GcsClients.build(null, null), bucket, true), "stasis-live");
  }
}
