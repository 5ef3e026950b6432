package dev.stasis.agent;

import static dev.stasis.agent.AgentFixture.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import dev.stasis.agent.api.JobPhases;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.v1.ContainerResult;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.PushedImage;
import dev.stasis.agent.v1.StartRestoreRequest;
import dev.stasis.agent.v1.StorageConfig;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.S3StorageSpec;
import dev.stasis.api.v1alpha1.SecretRef;
import dev.stasis.storage.CheckpointEntry;
import dev.stasis.storage.CheckpointManifest;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.ObjectStore;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.TransferOptions;
import dev.stasis.storage.s3.S3ObjectStore;
import dev.stasis.storage.s3.S3Settings;
import dev.stasis.testsupport.registry.RegistryServer;
import dev.stasis.testsupport.s3.S3Server;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints streamed to S3 as the operator asks for them: gRPC over TLS with a token, a
 * CheckpointStorage spec naming a credentials Secret, and the Secret's values in the request. The
 * S3 server checks SigV4 signatures, so only the request's keys get in (the agent's environment
 * holds none).
 */
class S3CheckpointTest {
  private static final String BUCKET = "stasis-ckpt";
  private static final String PREFIX = "team-a";

  @TempDir Path tmp;
  AgentFixture f;
  S3Server s3;
  RegistryServer registry;

  @BeforeEach
  void setUp() throws Exception {
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    f = new AgentFixture(tmp);
  }

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  /** The StorageConfig the operator sends for an S3 CheckpointStorage with a credentials Secret. */
  private StorageConfig storage(String secretKey) {
    S3StorageSpec s = new S3StorageSpec();
    s.setBucket(BUCKET);
    s.setPrefix(PREFIX);
    s.setRegion(S3Server.REGION);
    s.setEndpoint(s3.endpoint().toString());
    s.setCredentialsSecret(new SecretRef("s3-credentials", "stasis-system"));
    CheckpointStorageSpec spec = new CheckpointStorageSpec();
    spec.setS3(s);
    return StorageConfig.newBuilder()
        .setName("s3-main")
        .setSpecJson(Serialization.asJson(spec))
        .putCredentials("AWS_ACCESS_KEY_ID", ByteString.copyFromUtf8(s3.accessKey()))
        .putCredentials("AWS_SECRET_ACCESS_KEY", ByteString.copyFromUtf8(secretKey))
        .build();
  }

  private String destination() {
    return "s3://" + BUCKET + "/" + PREFIX;
  }

  /** The bucket as the storage module sees it, with the server's keys. */
  private S3ObjectStore bucket() {
    return S3ObjectStore.create(
        BUCKET,
        new S3Settings()
            .endpoint(s3.endpoint())
            .region(S3Server.REGION)
            .credentials(s3.accessKey(), s3.secretKey(), null));
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private Path kubeletArchive(String container) throws Exception {
    return f.kubelet.archives().stream()
        .filter(
            p -> p.getFileName().toString().startsWith("checkpoint-web_shop-" + container + "-"))
        .findFirst()
        .orElseThrow();
  }

  private Job checkpointToS3(String uid) throws Exception {
    f.operator()
        .startCheckpoint(
            checkpoint(uid, destination()).setStorage(storage(s3.secretKey())).build());
    Job done = f.awaitDone(uid);
    assertThat(done.getState()).as(done.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    return done;
  }

  @Test
  void checkpointStreamsToS3WithTheSecretFromTheRequest() throws Exception {
    Map<String, String> env = f.env();
    env.put("STASIS_KEEP_KUBELET_ARCHIVES", "true");
    f.start(env);
    String uid = "c0ffee00-0000-4000-8000-0000000005a3";
    Job done = checkpointToS3(uid);

    String dir = "s3://" + BUCKET + "/" + PREFIX + "/shop/web/nightly-c0ffee00";
    assertThat(done.getCheckpointUri()).isEqualTo(dir);
    assertThat(done.getPhase()).isEqualTo(JobPhases.DONE);

    try (CheckpointRepository repo =
        new CheckpointRepository(
            new StorageLocation(bucket(), PREFIX), TransferOptions.defaults())) {
      ObjectStore store = repo.location().store();
      // Exactly the layout of DESIGN.md, nothing else in the bucket.
      assertThat(store.list("").stream().map(ObjectInfo::key))
          .containsExactlyInAnyOrder(
              PREFIX + "/shop/web/nightly-c0ffee00/app.tar.zst",
              PREFIX + "/shop/web/nightly-c0ffee00/sidecar.tar.zst",
              PREFIX + "/shop/web/nightly-c0ffee00/manifest.json");
      List<CheckpointEntry> listed = repo.list("shop", "web");
      assertThat(listed).hasSize(1);
      assertThat(listed.get(0).uri().toString()).isEqualTo(dir);
      CheckpointManifest manifest = listed.get(0).manifest();
      assertThat(manifest.checkpoint().uid()).isEqualTo(uid);
      assertThat(manifest.node()).isEqualTo("node-a");
      assertThat(manifest.podSpec().path("containers").size()).isEqualTo(2);

      assertThat(done.getContainersList())
          .extracting(ContainerResult::getName)
          .containsExactly("app", "sidecar");
      for (ContainerResult c : done.getContainersList()) {
        byte[] kubelet = Files.readAllBytes(kubeletArchive(c.getName()));
        String key = PREFIX + "/shop/web/nightly-c0ffee00/" + c.getName() + ".tar.zst";
        assertThat(c.getObjectUri()).isEqualTo("s3://" + BUCKET + "/" + key);
        // The job's SHA-256 is the kubelet archive's, and the manifest says the same.
        assertThat(c.getSha256()).isEqualTo(sha256(kubelet));
        CheckpointManifest.Container m = manifest.container(c.getName());
        assertThat(m.sha256()).isEqualTo(c.getSha256());
        assertThat(m.archiveBytes()).isEqualTo(kubelet.length);
        // The object in the bucket is what the manifest says was stored...
        byte[] object;
        try (InputStream in = s3.blobStore().getBlob(BUCKET, key).getPayload().openStream()) {
          object = in.readAllBytes();
        }
        assertThat(object.length).isEqualTo(c.getStoredBytes()).isLessThan(kubelet.length);
        assertThat(sha256(object)).isEqualTo(m.storedSha256());
        // ...and reads back, decompressed, to the kubelet's archive byte for byte.
        Path back = tmp.resolve("back-" + c.getName() + ".tar");
        repo.readArchive(listed.get(0).uri(), c.getName(), back, (d, t) -> {});
        assertThat(Files.readAllBytes(back)).isEqualTo(kubelet);
      }
    }
    // The secret went to S3 and nowhere else: not into the job, not into the journal.
    assertThat(done.toString()).doesNotContain(s3.secretKey());
    try (Stream<Path> journal = Files.walk(tmp.resolve("journal"))) {
      for (Path p : journal.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(p)).as(p.toString()).doesNotContain(s3.secretKey());
      }
    }
  }

  @Test
  void wrongSecretIsRefusedBySigV4AndNothingIsStored() throws Exception {
    f.start();
    String uid = "c0ffee01-0000-4000-8000-0000000005a3";
    f.operator()
        .startCheckpoint(checkpoint(uid, destination()).setStorage(storage("not-the-key")).build());
    Job done = f.awaitDone(uid);
    assertThat(done.getState()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(done.getReason()).isEqualTo(Reasons.UPLOAD_FAILED);
    assertThat(done.getMessage()).contains("s3://" + BUCKET + "/").contains("403");
    assertThat(done.getMessage()).doesNotContain("not-the-key");
    try (S3ObjectStore store = bucket()) {
      assertThat(store.list("")).isEmpty();
    }
  }

  @Test
  void restoreReadsTheCheckpointBackFromS3AndPushesTheImage() throws Exception {
    assumeTrue(RegistryServer.available(), RegistryServer.unavailableReason());
    registry = RegistryServer.start(tmp.resolve("registry"), "pusher", "s3cret-pw");
    Map<String, String> env = f.env();
    env.put("STASIS_KEEP_KUBELET_ARCHIVES", "true");
    f.start(env);
    String ckUid = "c0ffee02-0000-4000-8000-0000000005a3";
    Job ck = checkpointToS3(ckUid);

    String restoreUid = "c0ffee03-0000-4000-8000-0000000005a3";
    f.operator()
        .startRestore(
            StartRestoreRequest.newBuilder()
                .setJobId(restoreUid)
                .setCheckpointUri(ck.getCheckpointUri())
                .setStorage(storage(s3.secretKey()))
                .setRegistry(registry.hostPort())
                .setRepository("stasis/checkpoints")
                .addContainers("sidecar")
                .setRegistryAuth(ByteString.copyFromUtf8(registry.dockerConfigJson()))
                .setRegistryPlainHttp(true)
                .build());
    Job done = f.awaitDone(restoreUid);
    assertThat(done.getState()).as(done.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(done.getImagesList()).hasSize(1);
    PushedImage image = done.getImages(0);
    assertThat(image.getReference())
        .isEqualTo(registry.hostPort() + "/stasis/checkpoints:" + ckUid + "-sidecar");

    // The image's one layer is the kubelet's archive, as read back from S3.
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    HttpResponse<String> m =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        registry.url() + "/v2/stasis/checkpoints/manifests/" + image.getDigest()))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json")
                .header("Authorization", registry.basicAuthorization())
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(m.statusCode()).isEqualTo(200);
    String layerDigest =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(m.body())
            .path("layers")
            .get(0)
            .path("digest")
            .asText();
    assertThat(layerDigest).isEqualTo("sha256:" + ck.getContainers(1).getSha256());
    HttpResponse<byte[]> blob =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(registry.url() + "/v2/stasis/checkpoints/blobs/" + layerDigest))
                .header("Authorization", registry.basicAuthorization())
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(blob.statusCode()).isEqualTo(200);
    assertThat(blob.body()).isEqualTo(Files.readAllBytes(kubeletArchive("sidecar")));
  }

  @Test
  void s3GoingAwayMidUploadFailsTheJobAndLeavesNoManifest() throws Exception {
    Map<String, String> env = f.env();
    env.put("STASIS_BANDWIDTH_LIMIT", "4Mi");
    // Fewer retries than in production, so that giving up on the dead server takes seconds.
    f.s3Tuning = new S3Settings().sdkMaxAttempts(2).partMaxAttempts(2);
    f.start(env);
    // Uncompressed archives of about 12 MiB: several 5 MiB parts each.
    f.kubelet.pagesBytes(12L * 1024 * 1024);
    String uid = "c0ffee04-0000-4000-8000-0000000005a3";
    f.operator()
        .startCheckpoint(
            checkpoint(uid, destination())
                .setStorage(storage(s3.secretKey()))
                .setCompression(dev.stasis.agent.v1.Compression.COMPRESSION_NONE)
                .build());
    // The first part of the first archive is in S3, the upload goes on.
    f.await(
        uid,
        j -> j.getPhase().equals(JobPhases.UPLOADING) && j.getBytesDone() > 6L * 1024 * 1024,
        Duration.ofSeconds(30));
    s3.stop();

    Job done = f.awaitDone(uid);
    assertThat(done.getState()).as(done.toString()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(done.getReason()).isEqualTo(Reasons.UPLOAD_FAILED);
    assertThat(done.getMessage())
        .contains("container app")
        .contains("s3://" + BUCKET + "/" + PREFIX + "/shop/web/nightly-c0ffee04/app.tar");
    assertThat(done.getContainersCount()).isZero();

    s3.restart();
    try (S3ObjectStore store = bucket()) {
      assertThat(store.stat(PREFIX + "/shop/web/nightly-c0ffee04/manifest.json")).isEmpty();
      assertThat(store.list("").stream().map(ObjectInfo::key))
          .noneMatch(k -> k.endsWith(CheckpointManifest.FILE_NAME))
          .noneMatch(k -> k.endsWith("/app.tar"));
    }
    assertThat(f.kubelet.archives()).isEmpty();
  }
}
