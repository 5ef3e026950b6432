package dev.stasis.agent.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.stasis.agent.v1.StorageConfig;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.FilesystemStorageSpec;
import dev.stasis.api.v1alpha1.ReplicatedStorageSpec;
import dev.stasis.api.v1alpha1.S3StorageSpec;
import dev.stasis.api.v1alpha1.SecretRef;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.replicated.ReplicatedObjectStore;
import dev.stasis.testsupport.s3.S3Server;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter from the operator's StorageConfig to the storage module's StoreFactory. */
class StorageLocationsTest {
  static S3Server s3;
  @TempDir Path tmp;
  final StorageLocations locations = new StorageLocations(Map.of());

  @BeforeAll
  static void startS3() {
    s3 = S3Server.start();
    s3.createBucket("rep-bucket");
  }

  @AfterAll
  static void stopS3() {
    s3.close();
  }

  private static StorageConfig.Builder config(String name, CheckpointStorageSpec spec) {
    return StorageConfig.newBuilder().setName(name).setSpecJson(Serialization.asJson(spec));
  }

  private static CheckpointStorageSpec s3Spec(String bucket, String prefix) {
    S3StorageSpec s = new S3StorageSpec();
    s.setBucket(bucket);
    s.setPrefix(prefix);
    s.setRegion(S3Server.REGION);
    s.setEndpoint(s3.endpoint().toString());
    s.setCredentialsSecret(new SecretRef("s3-credentials", "stasis-system"));
    CheckpointStorageSpec spec = new CheckpointStorageSpec();
    spec.setS3(s);
    return spec;
  }

  private static StorageConfig.Builder withKeys(StorageConfig.Builder b, String secretKey) {
    return b.putCredentials("AWS_ACCESS_KEY_ID", ByteString.copyFromUtf8(s3.accessKey()))
        .putCredentials("AWS_SECRET_ACCESS_KEY", ByteString.copyFromUtf8(secretKey));
  }

  private static String s3Object(String bucket, String key) throws IOException {
    try (InputStream in = s3.blobStore().getBlob(bucket, key).getPayload().openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void replicatedDestinationWritesToEveryMemberWithItsOwnSecret() throws Exception {
    Path disk = tmp.resolve("disk");
    CheckpointStorageSpec fs = new CheckpointStorageSpec();
    fs.setFilesystem(new FilesystemStorageSpec(disk.toString()));
    ReplicatedStorageSpec r = new ReplicatedStorageSpec();
    r.setMembers(List.of("s3-a", "local"));
    CheckpointStorageSpec global = new CheckpointStorageSpec();
    global.setReplicated(r);
    StorageConfig config =
        config("global", global)
            .addMembers(withKeys(config("s3-a", s3Spec("rep-bucket", "rep")), s3.secretKey()))
            .addMembers(config("local", fs))
            .build();

    try (StorageLocation loc = locations.open("stasis://global/team", config)) {
      assertThat(loc.uri("x").toString()).isEqualTo("stasis://global/team/x");
      ReplicatedObjectStore store = (ReplicatedObjectStore) loc.store();
      assertThat(store.members())
          .extracting(ReplicatedObjectStore.Member::name)
          .containsExactly("s3-a", "local");
      assertThat(store.writeQuorum()).isEqualTo(2);
      byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
      loc.store().put(loc.key("x"), data, data.length, "text/plain");
    }
    // SigV4 let the write in with the member's keys, under the member's prefix.
    assertThat(s3Object("rep-bucket", "rep/team/x")).isEqualTo("hello");
    assertThat(Files.readString(disk.resolve("team/x"))).isEqualTo("hello");

    // A member the operator did not resolve is an error that names it.
    StorageConfig missing = config("global", global).addMembers(config("local", fs)).build();
    assertThatThrownBy(() -> locations.open("stasis://global", missing))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("stasis://global")
        .hasMessageContaining("s3-a");
  }

  @Test
  void wrongKeysReachS3AndAreRefused() {
    StorageConfig config =
        withKeys(config("s3-main", s3Spec("rep-bucket", "p")), "not-the-secret").build();
    assertThatThrownBy(
            () -> {
              try (StorageLocation loc = locations.open("s3://rep-bucket/p", config)) {
                loc.store().put(loc.key("y"), new byte[1], 1, "text/plain");
              }
            })
        .hasMessageContaining("403")
        .hasMessageNotContaining("not-the-secret");
  }

  @Test
  void theUriMustLieInsideTheStorage() throws Exception {
    StorageConfig config = withKeys(config("s3-main", s3Spec("b", "p")), "k").build();
    try (StorageLocation loc = locations.open("s3://b/p/shop/web/nightly-0a1b2c3d", config)) {
      assertThat(loc.prefix()).isEqualTo("p/shop/web/nightly-0a1b2c3d");
      assertThat(loc.uri("manifest.json").toString())
          .isEqualTo("s3://b/p/shop/web/nightly-0a1b2c3d/manifest.json");
    }
    assertThatThrownBy(() -> locations.open("s3://other/p", config))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not inside storage s3-main (s3://b/p)");
    assertThatThrownBy(() -> locations.open("s3://b/pq", config))
        .hasMessageContaining("not inside storage s3-main");
    assertThatThrownBy(() -> locations.open("gs://b/p", config))
        .hasMessageContaining("not inside storage s3-main");

    Path root = tmp.resolve("fs");
    CheckpointStorageSpec fs = new CheckpointStorageSpec();
    fs.setFilesystem(new FilesystemStorageSpec(root.toString()));
    try (StorageLocation loc =
        locations.open("file://" + root + "/sub", config("local", fs).build())) {
      byte[] data = {1, 2, 3};
      loc.store().put(loc.key("k"), data, data.length, "application/octet-stream");
    }
    assertThat(Files.readAllBytes(root.resolve("sub/k"))).containsExactly(1, 2, 3);
    assertThatThrownBy(
            () -> locations.open("file://" + tmp + "/elsewhere", config("local", fs).build()))
        .hasMessageContaining("not inside storage local");
  }

  @Test
  void aSpecWhoseSecretValuesDidNotComeUsesTheAmbientChain() throws Exception {
    // The journal keeps the spec but never the Secret's values; cleaning up after a restart must
    // still open the storage (with the agent's own credentials), where the factory alone would
    // refuse a spec naming a Secret it cannot read.
    StorageConfig journalled = config("s3-main", s3Spec("rep-bucket", "p")).build();
    try (StorageLocation loc = locations.open("s3://rep-bucket/p/ns/pod/x-12345678", journalled)) {
      assertThat(loc.uri().toString()).isEqualTo("s3://rep-bucket/p/ns/pod/x-12345678");
    }
  }

  @Test
  void withoutASpecTheUriAloneIsOpened() throws Exception {
    Path dir = tmp.resolve("plain");
    try (StorageLocation loc =
        locations.open("file://" + dir, StorageConfig.getDefaultInstance())) {
      byte[] data = {7};
      loc.store().put(loc.key("a/b"), data, 1, "application/octet-stream");
      assertThat(loc.uri("a/b").toString()).isEqualTo("file://" + dir + "/a/b");
    }
    assertThat(Files.readAllBytes(dir.resolve("a/b"))).containsExactly(7);
    assertThatThrownBy(() -> locations.open("stasis://global", StorageConfig.getDefaultInstance()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("replicated CheckpointStorage");
    assertThatThrownBy(() -> locations.open("ftp://x", StorageConfig.getDefaultInstance()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("unknown scheme");
  }
}
