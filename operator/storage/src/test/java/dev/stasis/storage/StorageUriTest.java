package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.ReplicatedStorageSpec;
import dev.stasis.api.v1alpha1.S3StorageSpec;
import dev.stasis.api.v1alpha1.SecretRef;
import dev.stasis.storage.s3.S3Settings;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageUriTest {
  @Test
  void parsesEveryScheme() {
    assertThat(StorageUri.parse("s3://b/p/q/")).isEqualTo(new StorageUri("s3", "b", "p/q"));
    assertThat(StorageUri.parse("gs://b")).isEqualTo(new StorageUri("gs", "b", ""));
    assertThat(StorageUri.parse("file:///var/lib/x"))
        .isEqualTo(new StorageUri("file", "", "var/lib/x"));
    assertThat(StorageUri.parse("stasis://global/team"))
        .isEqualTo(new StorageUri("stasis", "global", "team"));
    assertThat(StorageUri.parse("s3://b/a b.tar").toUri().toString()).isEqualTo("s3://b/a%20b.tar");
    assertThat(StorageUri.of(URI.create("s3://b/a%20b.tar")).path()).isEqualTo("a b.tar");
    assertThat(StorageUri.of(URI.create("file:///tmp/x")).path()).isEqualTo("tmp/x");
    assertThatThrownBy(() -> StorageUri.parse("file://relative")).hasMessageContaining("absolute");
    assertThatThrownBy(() -> StorageUri.parse("s3:///key")).hasMessageContaining("no bucket");
    assertThatThrownBy(() -> StorageUri.parse("/tmp/x")).hasMessageContaining("not a storage URI");
  }

  @Test
  void pathStyleIsImpliedByIpAndLocalhostEndpoints() {
    assertThat(new S3Settings().endpoint("http://127.0.0.1:9000").effectivePathStyle()).isTrue();
    assertThat(new S3Settings().endpoint("http://localhost:9000").effectivePathStyle()).isTrue();
    assertThat(new S3Settings().endpoint("http://[::1]:9000").effectivePathStyle()).isTrue();
    assertThat(new S3Settings().endpoint("https://minio.example:9000").effectivePathStyle())
        .isFalse();
    assertThat(
            new S3Settings().endpoint("https://minio.example").pathStyle(true).effectivePathStyle())
        .isTrue();
    assertThat(new S3Settings().effectivePathStyle()).isFalse();
    assertThat(S3Settings.isDirectoryBucket("stasis--use1-az4--x-s3")).isTrue();
    assertThat(S3Settings.isDirectoryBucket("stasis")).isFalse();
  }

  @Test
  void checkpointDirectoryFollowsTheLayout() {
    CheckpointId id =
        new CheckpointId("default", "web-0", "nightly", "3F2A9C1E-77aa-4bbb-8ccc-123456789abc");
    assertThat(id.directory()).isEqualTo("default/web-0/nightly-3f2a9c1e");
    assertThatThrownBy(() -> new CheckpointId("Default", "web-0", "n", "12345678"))
        .hasMessageContaining("namespace");
  }

  @Test
  void factoryBuildsStoresFromSpecsWithSecretsAndMembers() {
    S3StorageSpec s3 = new S3StorageSpec();
    s3.setBucket("b");
    s3.setPrefix("pre");
    s3.setRegion("eu-west-1");
    s3.setEndpoint("http://127.0.0.1:1");
    s3.setCredentialsSecret(new SecretRef("creds", "stasis"));
    CheckpointStorageSpec a = new CheckpointStorageSpec();
    a.setS3(s3);
    CheckpointStorageSpec fs = new CheckpointStorageSpec();
    fs.setFilesystem(new dev.stasis.api.v1alpha1.FilesystemStorageSpec("/var/lib/stasis"));
    CheckpointStorageSpec global = new CheckpointStorageSpec();
    ReplicatedStorageSpec r = new ReplicatedStorageSpec();
    r.setMembers(List.of("a", "fs"));
    global.setReplicated(r);
    StoreFactory.Context ctx =
        StoreFactory.context(
            ref -> Map.of("AWS_ACCESS_KEY_ID", "AK", "AWS_SECRET_ACCESS_KEY", "SK"),
            name -> name.equals("a") ? a : name.equals("fs") ? fs : null);
    try (StorageLocation loc = StoreFactory.open("a", a, ctx)) {
      assertThat(loc.uri("x/y").toString()).isEqualTo("s3://b/pre/x/y");
    }
    try (StorageLocation loc = StoreFactory.open("global", global, ctx)) {
      assertThat(loc.uri("ns/pod").toString()).isEqualTo("stasis://global/ns/pod");
      assertThat(((dev.stasis.storage.replicated.ReplicatedObjectStore) loc.store()).writeQuorum())
          .isEqualTo(2);
    }
    StoreFactory.Context noSecret = StoreFactory.context(ref -> Map.of(), name -> null);
    assertThatThrownBy(() -> StoreFactory.open("a", a, noSecret))
        .hasMessageContaining("AWS_ACCESS_KEY_ID");
    assertThatThrownBy(() -> StoreFactory.open("global", global, noSecret))
        .hasMessageContaining("does not exist");
  }
}
