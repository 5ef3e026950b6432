package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.stasis.storage.gcs.GcsObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GCS store's logic (resumable upload in order, ranged reads, list, delete) against
 * google-cloud-nio's in-memory fake of the GCS API (no emulator installs offline).
 */
class GcsStoreTest {
  @TempDir Path tmp;

  @Test
  void checkpointRoundTripOnGcs() throws Exception {
    Storage gcs = LocalStorageHelper.getOptions().getService();
    byte[] archive = ArchiveGenerator.bytes(5 * 1024 * 1024, 21);
    try (GcsObjectStore store = new GcsObjectStore(gcs, "bucket", false)) {
      CheckpointRepository repo =
          new CheckpointRepository(
              new StorageLocation(store, "ckpts"),
              CodecRoundTripTest.small(dev.stasis.api.v1alpha1.Compression.ZSTD));
      CheckpointId id = new CheckpointId("ns", "db-0", "pre-upgrade", "deadbeef-0000");
      CheckpointManifest m = S3StoreTest.write(repo, id, Instant.now(), archive);
      assertThat(repo.uriOf(id).toString())
          .isEqualTo("gs://bucket/ckpts/ns/db-0/pre-upgrade-deadbeef");
      byte[] stored =
          gcs.readAllBytes(BlobId.of("bucket", "ckpts/ns/db-0/pre-upgrade-deadbeef/app.tar.zst"));
      assertThat(Hashes.sha256Hex(stored)).isEqualTo(m.container("app").storedSha256());
      assertThat(repo.list("ns")).hasSize(1);

      Path target = tmp.resolve("app.tar");
      repo.readArchive(repo.uriOf(id), "app", target, null);
      assertThat(Files.readAllBytes(target)).isEqualTo(archive);

      byte[] bad = stored.clone();
      bad[bad.length / 2] ^= 0x10;
      gcs.create(
          BlobInfo.newBuilder(BlobId.of("bucket", "ckpts/ns/db-0/pre-upgrade-deadbeef/app.tar.zst"))
              .build(),
          bad);
      Files.delete(target);
      assertThatThrownBy(() -> repo.readArchive(repo.uriOf(id), "app", target, null))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("gs://bucket/ckpts/ns/db-0/pre-upgrade-deadbeef/app.tar.zst");
      assertThat(target).doesNotExist();

      repo.delete(repo.uriOf(id));
      assertThat(repo.list("ns")).isEmpty();
      assertThat(store.list("ckpts/")).isEmpty();
      assertThat(Arrays.asList(store.minPartSize(), store.parallelParts()))
          .containsExactly(1, false);
    }
  }

  @Test
  void anUploadInProgressOrAbandonedIsNotVisible() throws Exception {
    Storage gcs = LocalStorageHelper.getOptions().getService();
    try (GcsObjectStore store = new GcsObjectStore(gcs, "bucket", false)) {
      store.put("ckpts/done", new byte[] {1, 2, 3}, 3, "application/octet-stream");
      byte[] part = ArchiveGenerator.bytes(512 * 1024, 5);

      ObjectUpload open = store.startUpload("ckpts/open", "application/octet-stream", 256 * 1024);
      open.uploadPart(1, part, part.length);
      assertThat(store.list("ckpts/")).extracting(ObjectInfo::key).containsExactly("ckpts/done");
      assertThat(store.stat("ckpts/open")).isEmpty();

      open.abort();
      assertThat(store.list("ckpts/")).extracting(ObjectInfo::key).containsExactly("ckpts/done");
      assertThat(store.stat("ckpts/open")).isEmpty();

      ObjectUpload finished =
          store.startUpload("ckpts/finished", "application/octet-stream", 256 * 1024);
      finished.uploadPart(1, part, part.length);
      finished.complete(1);
      assertThat(store.list("ckpts/"))
          .extracting(ObjectInfo::key, ObjectInfo::size)
          .containsExactlyInAnyOrder(
              tuple("ckpts/done", 3L), tuple("ckpts/finished", (long) part.length));
    }
  }
}
