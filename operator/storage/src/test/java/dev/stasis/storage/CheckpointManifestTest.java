package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.storage.fs.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifest's podMetadata: written when given, absent otherwise, and old manifests still read.
 */
class CheckpointManifestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-11-22T09:30:00Z");

  @TempDir Path dir;

  private static CheckpointWriter writer(CheckpointRepository repo, String name, String uid)
      throws Exception {
    CheckpointWriter w = repo.start(new CheckpointId("shop", "web-0", name, uid), "node-a", AT);
    byte[] archive = ("archive of " + name).repeat(100).getBytes(StandardCharsets.UTF_8);
    w.putArchive("web", "nginx:1.27", new ByteArrayInputStream(archive), archive.length, null);
    return w;
  }

  private CheckpointRepository repo() {
    return new CheckpointRepository(
        new StorageLocation(new FileObjectStore(dir), "checkpoints"), TransferOptions.defaults());
  }

  @Test
  void podLabelsAndAnnotationsAreWrittenAndReadBack() throws Exception {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("pod-template-hash", "5d8f9c7b6");
    labels.put("app", "web");
    try (CheckpointRepository repo = repo()) {
      CheckpointWriter w = writer(repo, "nightly", "3f2a9c1e-77aa-4bbb-8ccc-123456789abc");
      CheckpointManifest written =
          w.commit(
              JSON.readTree("{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}"),
              new CheckpointManifest.PodMetadata(labels, Map.of("team", "payments")));

      Path file = dir.resolve("checkpoints/shop/web-0/nightly-3f2a9c1e/manifest.json");
      JsonNode json = JSON.readTree(Files.readAllBytes(file));
      assertThat(json.path("formatVersion").asInt()).isEqualTo(1);
      assertThat(json.path("podMetadata").path("labels").path("app").asText()).isEqualTo("web");
      assertThat(json.path("podMetadata").path("labels").path("pod-template-hash").asText())
          .isEqualTo("5d8f9c7b6");
      assertThat(json.path("podMetadata").path("annotations").path("team").asText())
          .isEqualTo("payments");
      // Keys are sorted, so the manifest does not depend on the map the caller passed.
      assertThat(json.path("podMetadata").path("labels").fieldNames())
          .toIterable()
          .containsExactly("app", "pod-template-hash");

      CheckpointManifest read = repo.readManifest(w.uri());
      assertThat(read).isEqualTo(written);
      assertThat(read.podMetadata().labels())
          .containsExactly(Map.entry("app", "web"), Map.entry("pod-template-hash", "5d8f9c7b6"));
      assertThat(read.podMetadata().annotations()).containsExactly(Map.entry("team", "payments"));
    }
  }

  @Test
  void withoutMetadataTheFieldIsLeftOutAndReadsAsEmpty() throws Exception {
    try (CheckpointRepository repo = repo()) {
      CheckpointWriter old = writer(repo, "old", "aaaaaaaa-0000-4000-8000-000000000001");
      old.commit(null);
      CheckpointWriter empty = writer(repo, "empty", "bbbbbbbb-0000-4000-8000-000000000002");
      empty.commit(null, new CheckpointManifest.PodMetadata(Map.of(), null));

      for (String d : new String[] {"old-aaaaaaaa", "empty-bbbbbbbb"}) {
        JsonNode json =
            JSON.readTree(
                Files.readAllBytes(dir.resolve("checkpoints/shop/web-0/" + d + "/manifest.json")));
        assertThat(json.has("podMetadata")).as(d).isFalse();
      }
      CheckpointManifest read = repo.readManifest(old.uri());
      assertThat(read.podMetadata()).isNull();
      assertThat(read.podMetadataOrEmpty().labels()).isEmpty();
      assertThat(read.podMetadataOrEmpty().annotations()).isEmpty();
    }
  }

  @Test
  void aManifestOfTheFirstFormatWithoutPodMetadataStillParses() throws Exception {
    String v1 =
        """
        {
          "apiVersion" : "stasis.dev/v1alpha1",
          "kind" : "CheckpointManifest",
          "formatVersion" : 1,
          "checkpoint" : { "namespace" : "default", "pod" : "web-0", "name" : "nightly",
                           "uid" : "3f2a9c1e-77aa-4bbb-8ccc-123456789abc" },
          "node" : "ip-10-0-1-23.ec2.internal",
          "createdAt" : "2026-11-22T09:30:00Z",
          "podSpec" : { "containers" : [ { "name" : "web", "image" : "nginx:1.27" } ] },
          "containers" : [ { "name" : "web", "image" : "nginx:1.27", "object" : "web.tar.zst",
            "compression" : "zstd", "archiveBytes" : 10, "storedBytes" : 5,
            "sha256" : "81e764de501c3f914a234cfe9c12faaedb22b2c462b995dd9cd4352c2c28ee76",
            "storedSha256" : "5b0f" } ]
        }
        """;
    CheckpointManifest m = CheckpointManifest.parse(v1.getBytes(StandardCharsets.UTF_8), "v1");
    assertThat(m.podMetadata()).isNull();
    assertThat(m.checkpoint().pod()).isEqualTo("web-0");

    // The field is additive: formatVersion stays 1 (readers before it ignore unknown fields).
    String withMetadata =
        v1.replace(
            "\"containers\" : [ { \"name\" : \"web\", \"image\" : \"nginx:1.27\", \"object\"",
            "\"podMetadata\" : { \"labels\" : { \"app\" : \"web\" } },\n"
                + "  \"containers\" : [ { \"name\" : \"web\", \"image\" : \"nginx:1.27\", \"object\"");
    CheckpointManifest n =
        CheckpointManifest.parse(withMetadata.getBytes(StandardCharsets.UTF_8), "v1+labels");
    assertThat(n.formatVersion()).isEqualTo(1);
    assertThat(n.podMetadata().labels()).containsExactly(Map.entry("app", "web"));
    assertThat(n.podMetadata().annotations()).isEmpty();
  }
}
