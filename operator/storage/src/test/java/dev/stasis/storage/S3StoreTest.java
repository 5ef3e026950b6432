package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.storage.s3.S3ObjectStore;
import dev.stasis.testsupport.s3.FaultProxy;
import dev.stasis.testsupport.s3.S3Server;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 store and the pipeline against S3Proxy (SigV4 on), directly and through faults. */
class S3StoreTest {
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

  private static List<?> openUploads(S3ObjectStore store) {
    return store.client().listMultipartUploads(b -> b.bucket(store.bucket())).uploads();
  }

  @Test
  void anUntrustedServerCertificateFailsWithoutRetriesAndSaysWhy(@TempDir Path dir)
      throws Exception {
    dev.stasis.testsupport.kubelet.TestTls cert =
        dev.stasis.testsupport.kubelet.TestTls.generate("untrusted-s3");
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "server",
        cert.privateKey(),
        "pw".toCharArray(),
        new java.security.cert.X509Certificate[] {cert.certificate(), cert.caCertificate()});
    Path p12 = dir.resolve("server.p12");
    try (var out = Files.newOutputStream(p12)) {
      ks.store(out, "pw".toCharArray());
    }
    try (S3Server tls = S3Server.startFilesystem(dir.resolve("blobs"), p12, "pw")) {
      tls.createBucket("b");
      assertThat(tls.endpoint().getScheme()).isEqualTo("https");
      try (S3ObjectStore store = S3Fixture.store(tls, "b")) {
        assertThatThrownBy(() -> store.list("x/"))
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("LIST s3://b/x failed")
            .hasMessageContaining("TLS certificate is not trusted here")
            .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
      }
    }
  }

  @Test
  void multipartUploadReadsBackVerified() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    byte[] archive = S3Fixture.archive(14 * 1024 * 1024, 1);
    try (S3ObjectStore store = S3Fixture.store(server, bucket)) {
      UploadResult up =
          ArchiveUploader.upload(
              store,
              "k/a.tar.zst",
              new ByteArrayInputStream(archive),
              -1,
              S3Fixture.smallParts(),
              null);
      assertThat(up.parts()).isGreaterThan(2);
      assertThat(up.uri().toString()).isEqualTo("s3://" + bucket + "/k/a.tar.zst");
      byte[] stored = S3Fixture.read(server, bucket, "k/a.tar.zst");
      assertThat(Hashes.sha256Hex(stored)).isEqualTo(up.storedSha256());
      assertThat(openUploads(store)).isEmpty();

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      DownloadResult down =
          ArchiveDownloader.download(
              store,
              "k/a.tar.zst",
              Compression.ZSTD,
              Expected.NOTHING,
              out,
              S3Fixture.smallParts(),
              null);
      assertThat(out.toByteArray()).isEqualTo(archive);
      assertThat(down.sha256()).isEqualTo(Hashes.sha256Hex(archive));
    }
  }

  @Test
  void wrongCredentialsAreRefused() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    try (S3ObjectStore store =
        S3ObjectStore.create(
            bucket,
            S3Fixture.settings(server, server.endpoint())
                .credentials(server.accessKey(), "not-the-secret", null))) {
      assertThatThrownBy(() -> store.put("x", new byte[] {1}, 1, "application/octet-stream"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("403")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
    }
  }

  @Test
  void aFailingSourceAbortsTheUploadAndLeavesNoPartsAndNoObject() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    byte[] archive = S3Fixture.archive(14 * 1024 * 1024, 2);
    try (S3ObjectStore store = S3Fixture.store(server, bucket)) {
      assertThatThrownBy(
              () ->
                  ArchiveUploader.upload(
                      store,
                      "k/fail.tar.zst",
                      S3Fixture.failingAfter(archive, 12 * 1024 * 1024),
                      -1,
                      S3Fixture.smallParts(),
                      null))
          .hasMessageContaining("the kubelet went away");
      assertThat(openUploads(store)).isEmpty();
      assertThat(store.stat("k/fail.tar.zst")).isEmpty();
    }
  }

  @Test
  void transientFaultsAreRetriedOnUploadAndDownload() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    byte[] archive = S3Fixture.archive(14 * 1024 * 1024, 3);
    try (FaultProxy proxy = new FaultProxy(server.endpoint());
        S3ObjectStore store =
            S3ObjectStore.create(bucket, S3Fixture.settings(server, proxy.endpoint()))) {
      proxy.inject(FaultProxy.Request::isUploadPart, new FaultProxy.Status(503, "SlowDown"), 2);
      proxy.inject(
          FaultProxy.Request::isUploadPart, new FaultProxy.Status(500, "InternalError"), 1);
      proxy.inject(FaultProxy.Request::isUploadPart, new FaultProxy.Reset(10_000), 2);
      UploadResult up =
          ArchiveUploader.upload(
              store,
              "k/r.tar.zst",
              new ByteArrayInputStream(archive),
              -1,
              S3Fixture.smallParts(),
              null);
      assertThat(proxy.injected()).isEqualTo(5);
      assertThat(up.parts()).isGreaterThan(2);

      proxy.inject(FaultProxy.Request::isGet, new FaultProxy.Status(503, "SlowDown"), 2);
      proxy.inject(FaultProxy.Request::isGet, new FaultProxy.Reset(2_000), 2);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ArchiveDownloader.download(
          store,
          "k/r.tar.zst",
          Compression.ZSTD,
          new Expected((long) archive.length, up.sha256(), up.storedBytes(), up.storedSha256()),
          out,
          S3Fixture.smallParts(),
          null);
      assertThat(proxy.injected()).isEqualTo(9);
      assertThat(out.toByteArray()).isEqualTo(archive);
      assertThat(openUploads(store)).isEmpty();
    }
  }

  @Test
  void aPartThatKeepsFailingAbortsTheMultipartUpload() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    byte[] archive = S3Fixture.archive(14 * 1024 * 1024, 4);
    try (FaultProxy proxy = new FaultProxy(server.endpoint());
        S3ObjectStore store =
            S3ObjectStore.create(bucket, S3Fixture.settings(server, proxy.endpoint()))) {
      proxy.inject(
          r -> r.isUploadPart() && "3".equals(r.query("partNumber")),
          new FaultProxy.Status(500, "InternalError"),
          1000);
      assertThatThrownBy(
              () ->
                  ArchiveUploader.upload(
                      store,
                      "k/x.tar.zst",
                      new ByteArrayInputStream(archive),
                      -1,
                      S3Fixture.smallParts(),
                      null))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("UploadPart 3");
      // 3 SDK attempts x 3 part attempts
      assertThat(
              proxy.requests().stream()
                  .filter(r -> r.isUploadPart() && "3".equals(r.query("partNumber")))
                  .count())
          .isEqualTo(9);
      assertThat(proxy.requests())
          .anyMatch(r -> r.method().equals("DELETE") && r.query("uploadId") != null);
      assertThat(openUploads(store)).isEmpty();
      assertThat(store.stat("k/x.tar.zst")).isEmpty();
    }
  }

  private CheckpointRepository repo(S3ObjectStore store, String prefix) {
    return new CheckpointRepository(new StorageLocation(store, prefix), S3Fixture.smallParts());
  }

  static CheckpointManifest write(
      CheckpointRepository repo, CheckpointId id, Instant at, byte[] archive) throws Exception {
    CheckpointWriter w = repo.start(id, "node-a", at);
    w.putArchive("app", "nginx:1.27", new ByteArrayInputStream(archive), -1, null);
    w.putArchive(
        "sidecar",
        "busybox:1.36",
        new ByteArrayInputStream(Arrays.copyOf(archive, 1000)),
        -1,
        null);
    return w.commit(
        new ObjectMapper()
            .readTree("{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.27\"}]}"));
  }

  @Test
  void checkpointLayoutManifestListAndDelete() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    byte[] archive = S3Fixture.archive(11 * 1024 * 1024, 5);
    try (S3ObjectStore store = S3Fixture.store(server, bucket)) {
      CheckpointRepository repo = repo(store, "checkpoints");
      CheckpointId old =
          new CheckpointId("default", "web-0", "nightly", "0a1b2c3d-1111-2222-3333-444455556666");
      CheckpointId mid =
          new CheckpointId("default", "web-0", "hourly", "f00dbabe-1111-2222-3333-444455556666");
      CheckpointId other =
          new CheckpointId("default", "api-0", "adhoc", "12345678-aaaa-bbbb-cccc-dddddddddddd");
      write(repo, old, Instant.parse("2026-01-01T00:00:00Z"), archive);
      write(repo, mid, Instant.parse("2026-01-02T00:00:00Z"), archive);
      CheckpointManifest newest =
          write(repo, other, Instant.parse("2026-01-03T00:00:00Z"), archive);
      // A checkpoint whose manifest never got written does not exist.
      CheckpointWriter unfinished =
          repo.start(
              new CheckpointId(
                  "default", "web-0", "broken", "99999999-0000-0000-0000-000000000000"),
              "node-a");
      unfinished.putArchive("app", "nginx", new ByteArrayInputStream(archive), -1, null);

      assertThat(store.stat("checkpoints/default/web-0/nightly-0a1b2c3d/app.tar.zst")).isPresent();
      assertThat(store.stat("checkpoints/default/web-0/nightly-0a1b2c3d/manifest.json"))
          .isPresent();
      assertThat(repo.list("default"))
          .extracting(e -> e.manifest().checkpoint().name())
          .containsExactly("adhoc", "hourly", "nightly");
      assertThat(repo.list("default", "web-0"))
          .extracting(e -> e.uri().toString())
          .containsExactly(
              "s3://" + bucket + "/checkpoints/default/web-0/hourly-f00dbabe",
              "s3://" + bucket + "/checkpoints/default/web-0/nightly-0a1b2c3d");
      assertThat(repo.list("other")).isEmpty();

      CheckpointManifest m = repo.readManifest(repo.uriOf(other));
      assertThat(m).usingRecursiveComparison().isEqualTo(newest);
      assertThat(m.kind()).isEqualTo("CheckpointManifest");
      assertThat(m.apiVersion()).isEqualTo("stasis.dev/v1alpha1");
      assertThat(m.node()).isEqualTo("node-a");
      assertThat(m.podSpec().get("containers").get(0).get("image").asText())
          .isEqualTo("nginx:1.27");
      CheckpointManifest.Container app = m.container("app");
      assertThat(app.object()).isEqualTo("app.tar.zst");
      assertThat(app.archiveBytes()).isEqualTo(archive.length);
      assertThat(app.sha256()).isEqualTo(Hashes.sha256Hex(archive));
      assertThat(app.storedBytes())
          .isEqualTo(
              S3Fixture.read(server, bucket, "checkpoints/default/api-0/adhoc-12345678/app.tar.zst")
                  .length);

      Path target = tmp.resolve("restored/app.tar");
      repo.readArchive(repo.uriOf(other), "app", target, null);
      assertThat(Files.readAllBytes(target)).isEqualTo(archive);

      repo.delete(repo.uriOf(mid));
      assertThat(repo.list("default"))
          .extracting(e -> e.manifest().checkpoint().name())
          .containsExactly("adhoc", "nightly");
      assertThat(store.list("checkpoints/default/web-0/hourly-f00dbabe/")).isEmpty();
      assertThatThrownBy(() -> repo.readManifest(repo.uriOf(mid)))
          .isInstanceOf(NoSuchObjectException.class);
    }
  }

  @Test
  void corruptionAndTruncationAreDetectedAndNothingIsHandedOn() throws Exception {
    String bucket = S3Fixture.newBucket(server);
    byte[] archive = S3Fixture.archive(11 * 1024 * 1024, 6);
    try (S3ObjectStore store = S3Fixture.store(server, bucket)) {
      CheckpointRepository repo = repo(store, "");
      CheckpointId id = new CheckpointId("ns", "p", "c", "abcdef01-0000-0000-0000-000000000000");
      write(repo, id, Instant.now(), archive);
      String key = "ns/p/c-abcdef01/app.tar.zst";
      byte[] good = S3Fixture.read(server, bucket, key);
      Path target = tmp.resolve("app.tar");

      byte[] flipped = good.clone();
      flipped[flipped.length / 3] ^= 0x01;
      S3Fixture.write(server, bucket, key, flipped);
      assertThatThrownBy(() -> repo.readArchive(repo.uriOf(id), "app", target, null))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("s3://" + bucket + "/" + key);
      assertThat(target).doesNotExist();
      assertThat(Files.list(tmp)).isEmpty();

      S3Fixture.write(server, bucket, key, Arrays.copyOf(good, good.length - 100));
      assertThatThrownBy(() -> repo.readArchive(repo.uriOf(id), "app", target, null))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("s3://" + bucket + "/" + key)
          .hasMessageContaining("truncated");
      assertThat(target).doesNotExist();

      // Truncated without a manifest to compare sizes with: the frame walk notices.
      assertThatThrownBy(
              () ->
                  ArchiveDownloader.download(
                      store,
                      key,
                      Compression.ZSTD,
                      Expected.NOTHING,
                      new ByteArrayOutputStream(),
                      S3Fixture.smallParts(),
                      null))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("s3://" + bucket + "/" + key);

      S3Fixture.write(server, bucket, key, good);
      repo.readArchive(repo.uriOf(id), "app", target, null);
      assertThat(Files.readAllBytes(target)).isEqualTo(archive);
    }
  }
}
