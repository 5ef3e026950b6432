package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.storage.fs.FileObjectStore;
import dev.stasis.storage.replicated.ReplicatedObjectStore;
import dev.stasis.storage.replicated.ReplicatedObjectStore.Member;
import dev.stasis.testsupport.s3.S3Server;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replicated store: two S3 servers and a directory, write quorum 2, members going down. */
class ReplicatedStoreTest {
  S3Server a;
  S3Server b;
  @TempDir Path dir;
  @TempDir Path out;
  ReplicatedObjectStore store;
  CheckpointRepository repo;
  final byte[] archive = S3Fixture.archive(11 * 1024 * 1024, 9);

  @BeforeEach
  void setUp() {
    a = S3Server.start();
    b = S3Server.start();
    String ba = S3Fixture.newBucket(a);
    String bb = S3Fixture.newBucket(b);
    store =
        new ReplicatedObjectStore(
            "global",
            List.of(
                new Member("s3-a", new StorageLocation(S3Fixture.store(a, ba), "team")),
                new Member("s3-b", new StorageLocation(S3Fixture.store(b, bb), "")),
                new Member("local", new StorageLocation(new FileObjectStore(dir), "x"))),
            2);
    repo = new CheckpointRepository(new StorageLocation(store, ""), S3Fixture.smallParts());
  }

  @AfterEach
  void tearDown() {
    repo.close();
    a.close();
    b.close();
  }

  private static CheckpointId id(String name, String uid) {
    return new CheckpointId("default", "web-0", name, uid);
  }

  @Test
  void writesToEveryMemberUnderItsOwnPrefix() throws Exception {
    S3StoreTest.write(repo, id("one", "11111111-0000"), Instant.now(), archive);
    assertThat(repo.uriOf(id("one", "11111111-0000")).toString())
        .isEqualTo("stasis://global/default/web-0/one-11111111");
    for (Member m : store.members()) {
      assertThat(
              m.location()
                  .store()
                  .stat(m.location().key("default/web-0/one-11111111/manifest.json")))
          .as(m.name())
          .isPresent();
    }
    assertThat(Files.exists(dir.resolve("x/default/web-0/one-11111111/app.tar.zst"))).isTrue();
  }

  @Test
  void oneMemberDownFailsNeitherWriteNorRead() throws Exception {
    a.stop();
    CheckpointManifest m =
        S3StoreTest.write(repo, id("two", "22222222-0000"), Instant.now(), archive);
    assertThat(repo.list("default")).hasSize(1);
    Path target = out.resolve("app.tar");
    repo.readArchive(repo.uriOf(id("two", "22222222-0000")), "app", target, null);
    assertThat(Files.readAllBytes(target)).isEqualTo(archive);
    assertThat(m.container("app").sha256()).isEqualTo(Hashes.sha256Hex(archive));

    // Back up: the member that missed the write has no manifest, so no checkpoint there.
    a.restart();
    Member first = store.members().get(0);
    assertThat(
            first
                .location()
                .store()
                .stat(first.location().key("default/web-0/two-22222222/manifest.json")))
        .isEmpty();
    assertThat(repo.list("default")).hasSize(1);
  }

  @Test
  void readsFallBackToTheNextMemberThatHoldsTheCheckpoint() throws Exception {
    S3StoreTest.write(repo, id("three", "33333333-0000"), Instant.now(), archive);
    a.stop();
    b.stop();
    assertThat(repo.readManifest(repo.uriOf(id("three", "33333333-0000"))).node())
        .isEqualTo("node-a");
    Path target = out.resolve("app.tar");
    repo.readArchive(repo.uriOf(id("three", "33333333-0000")), "app", target, null);
    assertThat(Files.readAllBytes(target)).isEqualTo(archive);
  }

  @Test
  void withoutQuorumTheWriteFailsAndNoMemberHasAManifest() throws Exception {
    a.stop();
    b.stop();
    CheckpointWriter w = repo.start(id("four", "44444444-0000"), "node-a");
    assertThatThrownBy(
            () -> w.putArchive("app", "nginx", new ByteArrayInputStream(archive), -1, null))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("write quorum is 2");
    w.abort();
    a.restart();
    b.restart();
    assertThat(repo.list("default")).isEmpty();
    assertThat(Files.exists(dir.resolve("x/default/web-0/four-44444444/manifest.json"))).isFalse();
  }

  @Test
  void deleteRemovesTheCheckpointFromAllMembers() throws Exception {
    S3StoreTest.write(repo, id("five", "55555555-0000"), Instant.now(), archive);
    repo.delete(repo.uriOf(id("five", "55555555-0000")));
    assertThat(repo.list("default")).isEmpty();
    for (Member m : store.members()) {
      assertThat(m.location().store().list(m.location().key("default/"))).as(m.name()).isEmpty();
    }
  }
}
