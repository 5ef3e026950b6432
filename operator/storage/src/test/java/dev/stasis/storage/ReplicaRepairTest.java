package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.storage.fs.FileObjectStore;
import dev.stasis.storage.replicated.ReplicatedObjectStore;
import dev.stasis.storage.replicated.ReplicatedObjectStore.Member;
import dev.stasis.testsupport.s3.S3Server;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member of a replicated store is down while a checkpoint is written and back later: the write
 * meets the quorum, {@code verify} reports the member that lacks the checkpoint and fails, and
 * {@code verify --repair} copies it from a member whose copy matches the manifest's SHA-256 (a
 * corrupt copy is never the source, and is replaced too), manifest last; the repaired member alone
 * then restores it byte for byte.
 */
class ReplicaRepairTest {
  S3Server a;
  String bucket;
  @TempDir Path one;
  @TempDir Path two;
  @TempDir Path tmp;
  CheckpointRepository repo;
  final byte[] archive = S3Fixture.archive(11 * 1024 * 1024, 41);
  static final CheckpointId ID =
      new CheckpointId("default", "web-0", "nightly", "9c0d1e2f-0000-4000-8000-000000000003");

  @BeforeEach
  void setUp() {
    a = S3Server.start();
    bucket = S3Fixture.newBucket(a);
    ReplicatedObjectStore store =
        new ReplicatedObjectStore(
            "global",
            List.of(
                new Member("s3-a", new StorageLocation(S3Fixture.store(a, bucket), "team")),
                new Member("local-1", new StorageLocation(new FileObjectStore(one), "")),
                new Member("local-2", new StorageLocation(new FileObjectStore(two), ""))),
            2);
    repo = new CheckpointRepository(new StorageLocation(store, ""), S3Fixture.smallParts());
  }

  @AfterEach
  void tearDown() {
    repo.close();
    a.close();
  }

  /** The same replicated store as kubectl prints it, for the command line. */
  private Path storagesFile() throws Exception {
    Map<String, String> env = a.awsEnvironment();
    Base64.Encoder b64 = Base64.getEncoder();
    String yaml =
        String.format(
            """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: stasis.dev/v1alpha1
                kind: CheckpointStorage
                metadata: {name: s3-a}
                spec:
                  s3:
                    bucket: %s
                    prefix: team
                    endpoint: %s
                    region: us-east-1
                    forcePathStyle: true
                    credentialsSecret: {name: s3-creds}
              - apiVersion: stasis.dev/v1alpha1
                kind: CheckpointStorage
                metadata: {name: local-1}
                spec:
                  filesystem: {path: %s}
              - apiVersion: stasis.dev/v1alpha1
                kind: CheckpointStorage
                metadata: {name: local-2}
                spec:
                  filesystem: {path: %s}
              - apiVersion: stasis.dev/v1alpha1
                kind: CheckpointStorage
                metadata: {name: global}
                spec:
                  replicated: {members: [s3-a, local-1, local-2], writeQuorum: 2}
              - apiVersion: v1
                kind: Secret
                metadata: {name: s3-creds}
                data:
                  AWS_ACCESS_KEY_ID: %s
                  AWS_SECRET_ACCESS_KEY: %s
            """,
            bucket,
            env.get("AWS_ENDPOINT_URL"),
            one,
            two,
            b64.encodeToString(env.get("AWS_ACCESS_KEY_ID").getBytes(StandardCharsets.UTF_8)),
            b64.encodeToString(env.get("AWS_SECRET_ACCESS_KEY").getBytes(StandardCharsets.UTF_8)));
    Path f = tmp.resolve("storages.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void aMemberThatMissedTheWriteIsReportedThenRepairedFromAVerifiedCopy() throws Exception {
    a.stop();
    S3StoreTest.write(repo, ID, Instant.now(), archive);
    a.restart();
    URI checkpoint = repo.uriOf(ID);
    String dir = ID.directory();
    CheckpointReplicas replicas = new CheckpointReplicas(repo);
    assertThat(replicas.check(checkpoint))
        .extracting(CheckpointReplicas.MemberCopy::describe)
        .containsExactly(
            "s3-a: lacks app.tar.zst, sidecar.tar.zst, manifest.json",
            "local-1: whole",
            "local-2: whole");

    Path storages = storagesFile();
    CliInteropTest.Run verify =
        CliInteropTest.cli("verify", checkpoint.toString(), "--storages", storages.toString());
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.out()).contains("OK ").contains("member s3-a: lacks app.tar.zst");
    assertThat(verify.err().strip())
        .doesNotContain("\n")
        .contains("is not whole on every member: s3-a: lacks")
        .contains("--repair");

    // The first member that holds it has a corrupt copy of the same size: it must not spread, and
    // is repaired too.
    Path corrupt = one.resolve(dir + "/app.tar.zst");
    byte[] bad = Files.readAllBytes(corrupt);
    bad[bad.length / 2] ^= 0x5a;
    Files.write(corrupt, bad);
    assertThat(replicas.check(checkpoint))
        .extracting(CheckpointReplicas.MemberCopy::describe)
        .containsExactly(
            "s3-a: lacks app.tar.zst, sidecar.tar.zst, manifest.json",
            "local-1: corrupt app.tar.zst",
            "local-2: whole");

    CliInteropTest.Run repair =
        CliInteropTest.cli(
            "verify", checkpoint.toString(), "--repair", "--storages", storages.toString());
    assertThat(repair.code()).as(repair.err()).isZero();
    assertThat(repair.out())
        .contains("repaired " + checkpoint)
        .contains("member s3-a: whole")
        .contains("member local-1: whole")
        .contains("member local-2: whole");
    assertThat(S3Fixture.read(a, bucket, "team/" + dir + "/app.tar.zst"))
        .isEqualTo(Files.readAllBytes(two.resolve(dir + "/app.tar.zst")))
        .isNotEqualTo(bad);

    // The repaired member alone restores the checkpoint.
    try (CheckpointRepository onlyA =
        new CheckpointRepository(
            new StorageLocation(S3Fixture.store(a, bucket), "team"), S3Fixture.smallParts())) {
      assertThat(onlyA.list("default")).hasSize(1);
      Path back = tmp.resolve("app.tar");
      onlyA.readArchive(onlyA.uriOf(ID), "app", back, null);
      assertThat(Files.readAllBytes(back)).isEqualTo(archive);
    }
  }
}
