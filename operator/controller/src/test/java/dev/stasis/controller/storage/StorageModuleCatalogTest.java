package dev.stasis.controller.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.FilesystemStorageSpec;
import dev.stasis.controller.agent.StorageConfig;
import dev.stasis.storage.CheckpointId;
import dev.stasis.storage.CheckpointManifest;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.StoreFactory;
import dev.stasis.storage.TransferOptions;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog on the real storage module, over a filesystem store written by its own writer. */
class StorageModuleCatalogTest {
  @TempDir Path dir;

  private StorageLocation location() {
    CheckpointStorageSpec spec = new CheckpointStorageSpec();
    spec.setFilesystem(new FilesystemStorageSpec(dir.toString()));
    return new StorageLocation(
        "local",
        "file://" + dir,
        new StorageConfig("local", Serialization.asJson(spec), Map.of(), List.of()));
  }

  private String write(String pod, String name, String uid, Instant at) throws Exception {
    return write(pod, name, uid, at, null);
  }

  private String write(
      String pod, String name, String uid, Instant at, CheckpointManifest.PodMetadata metadata)
      throws Exception {
    CheckpointStorageSpec spec = new CheckpointStorageSpec();
    spec.setFilesystem(new FilesystemStorageSpec(dir.toString()));
    try (CheckpointRepository repo =
        new CheckpointRepository(
            StoreFactory.open("local", spec, StoreFactory.context(null, null)),
            TransferOptions.defaults())) {
      var writer = repo.start(new CheckpointId("shop", pod, name, uid), "node-1", at);
      byte[] archive = ("tar of " + pod).repeat(1000).getBytes(StandardCharsets.UTF_8);
      writer.putArchive(
          "main", "busybox:1.36", new ByteArrayInputStream(archive), archive.length, null);
      writer.commit(
          new ObjectMapper()
              .readTree("{\"containers\":[{\"name\":\"main\",\"image\":\"busybox:1.36\"}]}"),
          metadata);
      return writer.uri().toString();
    }
  }

  @Test
  void listsReadsAndDeletesWhatTheStorageModuleWrote() throws Exception {
    String older = write("cart", "cart-1", "11111111-aaaa", Instant.parse("2026-01-01T00:00:00Z"));
    String newer =
        write(
            "cart",
            "cart-2",
            "22222222-bbbb",
            Instant.parse("2026-01-02T00:00:00Z"),
            new CheckpointManifest.PodMetadata(
                Map.of("app", "cart", "pod-template-hash", "7c9d"),
                Map.of("team.example.com/owner", "shop")));
    StorageModuleCatalog catalog = new StorageModuleCatalog();

    List<StoredCheckpoint> listed = catalog.list(location(), "shop");
    assertThat(listed)
        .extracting(StoredCheckpoint::uri)
        .containsExactly(newer.replaceAll("/$", ""), older.replaceAll("/$", ""));
    StoredCheckpoint first = listed.get(0);
    assertThat(first.checkpointName()).isEqualTo("cart-2");
    assertThat(first.checkpointUid()).isEqualTo("22222222-bbbb");
    assertThat(first.podName()).isEqualTo("cart");
    assertThat(first.nodeName()).isEqualTo("node-1");
    assertThat(first.podSpecJson()).contains("busybox:1.36");
    assertThat(first.podLabels())
        .containsExactlyInAnyOrderEntriesOf(Map.of("app", "cart", "pod-template-hash", "7c9d"));
    assertThat(first.podAnnotations()).containsExactly(Map.entry("team.example.com/owner", "shop"));
    // A manifest without podMetadata (an older agent) reads with no labels or annotations.
    assertThat(listed.get(1).podLabels()).isEmpty();
    assertThat(listed.get(1).podAnnotations()).isEmpty();
    assertThat(first.containers())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.name()).isEqualTo("main");
              assertThat(c.sha256()).matches("[0-9a-f]{64}");
              assertThat(c.compression()).isEqualTo("zstd");
              assertThat(c.objectUri()).startsWith(first.uri() + "/main.tar");
              assertThat(Files.exists(Path.of(java.net.URI.create(c.objectUri())))).isTrue();
            });
    assertThat(catalog.list(location(), "other")).isEmpty();

    assertThat(catalog.read(location(), first.uri()))
        .get()
        .extracting(StoredCheckpoint::checkpointName)
        .isEqualTo("cart-2");
    catalog.delete(location(), first.uri());
    assertThat(catalog.read(location(), first.uri())).isEmpty();
    assertThat(catalog.list(location(), "shop"))
        .extracting(StoredCheckpoint::checkpointName)
        .containsExactly("cart-1");
  }

  @Test
  void anUnreachableS3EndpointFailsTheProbeWithTheReason() {
    CheckpointStorageSpec spec =
        Serialization.unmarshal(
            "{\"s3\":{\"bucket\":\"ckpts\",\"region\":\"us-east-1\",\"endpoint\":\"http://127.0.0.1:1\",\"forcePathStyle\":true,"
                + "\"credentialsSecret\":{\"name\":\"s3-creds\"}}}",
            CheckpointStorageSpec.class);
    StorageLocation location =
        new StorageLocation(
            "minio",
            "s3://ckpts",
            new StorageConfig(
                "minio",
                Serialization.asJson(spec),
                Map.of(
                    "AWS_ACCESS_KEY_ID", "k".getBytes(), "AWS_SECRET_ACCESS_KEY", "s".getBytes()),
                List.of()));
    assertThatThrownBy(() -> new StorageModuleCatalog().probe(location))
        .isInstanceOf(CatalogException.class);
  }
}
