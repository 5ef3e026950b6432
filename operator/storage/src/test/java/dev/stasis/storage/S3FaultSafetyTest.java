package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.storage.s3.S3ObjectStore;
import dev.stasis.testsupport.s3.FaultProxy;
import dev.stasis.testsupport.s3.S3Server;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole checkpoints written through a {@link FaultProxy} in front of S3Proxy: transient faults
 * (500, 503 SlowDown, connection resets) are retried and the checkpoint reads back byte for byte;
 * persistent ones fail it with a message naming the request, leave no manifest, nothing that {@code
 * ls} lists and no open multipart upload, and what a failed abort left is discarded by the clean-up
 * ({@link CheckpointRepository#delete}, which {@code rm} and the agent's LeftoverCleaner call).
 */
class S3FaultSafetyTest {
  static S3Server server;
  @TempDir Path tmp;

  @BeforeAll
  static void startServer() {
    server = S3Server.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static final CheckpointId ID =
      new CheckpointId("shop", "web-0", "nightly", "7a8b9c0d-0000-4000-8000-000000000001");

  private static List<?> openUploads(S3ObjectStore store) {
    return store.client().listMultipartUploads(b -> b.bucket(store.bucket())).uploads();
  }

  /** The bucket as S3Proxy holds it, without the proxy. */
  private static List<String> keys(S3ObjectStore direct) throws Exception {
    return direct.list("").stream().map(ObjectInfo::key).toList();
  }

  private static CheckpointRepository repo(S3ObjectStore store) {
    return new CheckpointRepository(new StorageLocation(store, "ckpt"), S3Fixture.smallParts());
  }

  private static boolean isManifestPut(FaultProxy.Request r) {
    return r.method().equals("PUT") && r.target().contains(CheckpointManifest.FILE_NAME);
  }

  private static boolean isAbort(FaultProxy.Request r) {
    return r.method().equals("DELETE") && r.query("uploadId") != null;
  }

  @Test
  void transientFaultsAreRetriedAndTheCheckpointReadsBackByteIdentical() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    byte[] archive = S3Fixture.archive(14 * 1024 * 1024, 21);
    try (FaultProxy proxy = new FaultProxy(server.endpoint());
        S3ObjectStore store =
            S3ObjectStore.create(bucket, S3Fixture.settings(server, proxy.endpoint()));
        S3ObjectStore direct = S3Fixture.store(server, bucket)) {
      proxy.inject(FaultProxy.Request::isUploadPart, new FaultProxy.Status(503, "SlowDown"), 2);
      proxy.inject(
          FaultProxy.Request::isUploadPart, new FaultProxy.Status(500, "InternalError"), 1);
      proxy.inject(FaultProxy.Request::isUploadPart, new FaultProxy.Reset(10_000), 2);
      proxy.inject(
          r -> r.method().equals("POST") && r.query("uploads") != null,
          new FaultProxy.Status(503, "SlowDown"),
          1);
      proxy.inject(
          r -> r.method().equals("POST") && r.query("uploadId") != null,
          new FaultProxy.Status(500, "InternalError"),
          1);
      proxy.inject(S3FaultSafetyTest::isManifestPut, new FaultProxy.Status(503, "SlowDown"), 2);
      CheckpointRepository repo = repo(store);
      CheckpointManifest m = S3StoreTest.write(repo, ID, Instant.now(), archive);
      assertThat(proxy.injected()).isEqualTo(9);

      proxy.inject(FaultProxy.Request::isGet, new FaultProxy.Status(503, "SlowDown"), 2);
      proxy.inject(FaultProxy.Request::isGet, new FaultProxy.Reset(2_000), 2);
      Path target = tmp.resolve("app.tar");
      repo.readArchive(repo.uriOf(ID), "app", target, null);
      assertThat(Files.readAllBytes(target)).isEqualTo(archive);
      assertThat(m.container("app").sha256()).isEqualTo(Hashes.sha256Hex(archive));
      assertThat(proxy.injected()).isEqualTo(13);
      assertThat(repo.list("shop")).hasSize(1);
      assertThat(openUploads(direct)).isEmpty();
    }
  }

  @Test
  void persistentFaultsFailTheCheckpointWithNoManifestNoObjectsAndNoOpenUpload() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    byte[] archive = S3Fixture.archive(14 * 1024 * 1024, 22);
    try (FaultProxy proxy = new FaultProxy(server.endpoint());
        S3ObjectStore store =
            S3ObjectStore.create(bucket, S3Fixture.settings(server, proxy.endpoint()));
        S3ObjectStore direct = S3Fixture.store(server, bucket)) {
      CheckpointRepository repo = repo(store);
      CheckpointWriter w = repo.start(ID, "node-a");
      // The first container is stored whole; the second's third part keeps failing.
      w.putArchive("sidecar", "busybox", new ByteArrayInputStream(archive, 0, 4096), -1, null);
      proxy.inject(
          r -> r.isUploadPart() && "3".equals(r.query("partNumber")),
          new FaultProxy.Status(503, "SlowDown"),
          1000);
      assertThatThrownBy(
              () -> w.putArchive("app", "nginx", new ByteArrayInputStream(archive), -1, null))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("UploadPart 3 of s3://" + bucket + "/ckpt/shop/web-0/nightly-")
          .hasMessageContaining("503");
      w.abort();

      assertThat(repo.list("shop")).isEmpty();
      assertThatThrownBy(() -> repo.readManifest(repo.uriOf(ID)))
          .isInstanceOf(NoSuchObjectException.class);
      assertThat(keys(direct)).isEmpty();
      assertThat(openUploads(direct)).isEmpty();
    }
  }

  @Test
  void anUploadWhoseAbortFailedIsDiscardedByTheCleanUp() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    byte[] archive = S3Fixture.archive(14 * 1024 * 1024, 23);
    try (FaultProxy proxy = new FaultProxy(server.endpoint());
        S3ObjectStore store =
            S3ObjectStore.create(bucket, S3Fixture.settings(server, proxy.endpoint()));
        S3ObjectStore direct = S3Fixture.store(server, bucket)) {
      CheckpointRepository repo = repo(store);
      CheckpointWriter w = repo.start(ID, "node-a");
      // The store fails parts and aborts (and lists of uploads) until it recovers.
      proxy.inject(
          r -> r.isUploadPart() && "2".equals(r.query("partNumber")),
          new FaultProxy.Status(500, "InternalError"),
          1000);
      proxy.inject(S3FaultSafetyTest::isAbort, new FaultProxy.Status(503, "SlowDown"), 1000);
      proxy.inject(
          r -> r.method().equals("GET") && r.query("uploads") != null,
          new FaultProxy.Status(503, "SlowDown"),
          1000);
      assertThatThrownBy(
              () -> w.putArchive("app", "nginx", new ByteArrayInputStream(archive), -1, null))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("UploadPart 2");
      w.abort();
      // No checkpoint, but the multipart upload is still open on the server.
      assertThat(repo.list("shop")).isEmpty();
      assertThat(openUploads(direct)).hasSize(1);

      // The store is back: deleting the partial checkpoint (rm, the agent's clean-up) discards it.
      proxy.clearFaults();
      repo.delete(repo.uriOf(ID));
      assertThat(openUploads(direct)).isEmpty();
      assertThat(keys(direct)).isEmpty();
    }
  }
}
