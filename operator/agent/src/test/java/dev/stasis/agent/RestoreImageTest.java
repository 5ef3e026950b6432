package dev.stasis.agent;

import static dev.stasis.agent.AgentFixture.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.image.CheckpointImagePusher;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.PushedImage;
import dev.stasis.agent.v1.StartRestoreRequest;
import dev.stasis.testsupport.registry.RegistryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreImageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  AgentFixture f;
  RegistryServer registry;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(RegistryServer.available(), RegistryServer.unavailableReason());
    registry = RegistryServer.start(tmp.resolve("registry"), "pusher", "s3cret-pw");
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
  }

  private HttpResponse<byte[]> get(String path, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url() + path));
    if (accept != null) {
      b.header("Accept", accept);
    }
    b.header("Authorization", registry.basicAuthorization());
    return HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build()
        .send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** StartRestore of the app container into the test registry, with its credentials. */
  private void restoreApp(String jobId, String checkpointUri) {
    f.operator()
        .startRestore(
            StartRestoreRequest.newBuilder()
                .setJobId(jobId)
                .setCheckpointUri(checkpointUri)
                .setRegistry(registry.hostPort())
                .setRepository("stasis/checkpoints")
                .addContainers("app")
                .setRegistryAuth(ByteString.copyFromUtf8(registry.dockerConfigJson()))
                .setRegistryPlainHttp(true)
                .build());
  }

  @Test
  void restorePushesACheckpointImageWithBothAnnotationsAndTheArchiveAsItsLayer() throws Exception {
    Map<String, String> env = f.env();
    env.put("STASIS_KEEP_KUBELET_ARCHIVES", "true");
    f.start(env);
    Path store = tmp.resolve("store");
    String ckUid = "7a8b9cad-0000-4000-8000-000000000777";
    f.operator().startCheckpoint(checkpoint(ckUid, "file://" + store).build());
    Job ck = f.awaitDone(ckUid);
    assertThat(ck.getState()).as(ck.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);

    String restoreUid = "8b9cadbe-0000-4000-8000-000000000888";
    restoreApp(restoreUid, ck.getCheckpointUri());
    Job done = f.awaitDone(restoreUid);
    assertThat(done.getState()).as(done.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(done.getImagesList()).hasSize(1);
    PushedImage image = done.getImages(0);
    String tag = ckUid + "-app";
    assertThat(image.getReference()).isEqualTo(registry.hostPort() + "/stasis/checkpoints:" + tag);
    assertThat(image.getDigest()).startsWith("sha256:");

    HttpResponse<byte[]> m =
        get(
            "/v2/stasis/checkpoints/manifests/" + tag,
            "application/vnd.oci.image.manifest.v1+json");
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("Docker-Content-Digest")).contains(image.getDigest());
    JsonNode manifest = JSON.readTree(m.body());
    assertThat(manifest.path("annotations").path(CheckpointImagePusher.CRIO_ANNOTATION).asText())
        .isEqualTo("app");
    assertThat(manifest.path("annotations").path(CheckpointImagePusher.CRIU_ANNOTATION).asText())
        .isEqualTo("app");
    assertThat(manifest.path("layers").size()).isEqualTo(1);
    JsonNode layer = manifest.path("layers").get(0);
    assertThat(layer.path("mediaType").asText()).isEqualTo(CheckpointImagePusher.LAYER_MEDIA_TYPE);

    Path archive =
        f.kubelet.archives().stream()
            .filter(p -> p.getFileName().toString().startsWith("checkpoint-web_shop-app-"))
            .findFirst()
            .orElseThrow();
    HttpResponse<byte[]> blob =
        get("/v2/stasis/checkpoints/blobs/" + layer.path("digest").asText(), null);
    assertThat(blob.statusCode()).isEqualTo(200);
    assertThat(blob.body()).isEqualTo(Files.readAllBytes(archive));

    JsonNode config =
        JSON.readTree(
            get(
                    "/v2/stasis/checkpoints/blobs/"
                        + manifest.path("config").path("digest").asText(),
                    null)
                .body());
    assertThat(config.path("rootfs").path("diff_ids"))
        .extracting(JsonNode::asText)
        .containsExactly(layer.path("digest").asText());
  }

  @Test
  void theAgentsOwnRegistrySettingsServeRequestsThatNameNone() throws Exception {
    // As the chart configures it (registry.url, registry.repository, registry.insecure and
    // registry.secretName mounted as a file); the request brings no registry settings at all.
    Path secret = tmp.resolve("registry-auth/.dockerconfigjson");
    Map<String, String> env = f.env();
    env.put("STASIS_REGISTRY", registry.hostPort());
    env.put("STASIS_REGISTRY_REPOSITORY", "stasis/restore");
    env.put("STASIS_REGISTRY_PLAIN_HTTP", "true");
    env.put("STASIS_REGISTRY_SECRET", secret.toString());
    env.put("STASIS_KEEP_KUBELET_ARCHIVES", "true");
    f.start(env);
    String ckUid = "c0ffee00-0000-4000-8000-000000000ddd";
    f.operator().startCheckpoint(checkpoint(ckUid, "file://" + tmp.resolve("store")).build());
    Job ck = f.awaitDone(ckUid);
    assertThat(ck.getState()).as(ck.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);

    // The Secret is not mounted (yet): the job says where it looked.
    String first = "c0ffee01-0000-4000-8000-000000000ddd";
    f.operator()
        .startRestore(
            StartRestoreRequest.newBuilder()
                .setJobId(first)
                .setCheckpointUri(ck.getCheckpointUri())
                .addContainers("app")
                .build());
    Job failed = f.awaitDone(first);
    assertThat(failed.getReason()).isEqualTo(Reasons.REGISTRY_UNAUTHORIZED);
    assertThat(failed.getMessage()).contains("STASIS_REGISTRY_SECRET").contains(secret.toString());

    // Mounted after the agent started: read at the push, not at startup.
    Files.createDirectories(secret.getParent());
    Files.writeString(secret, registry.dockerConfigJson());
    String second = "c0ffee02-0000-4000-8000-000000000ddd";
    f.operator()
        .startRestore(
            StartRestoreRequest.newBuilder()
                .setJobId(second)
                .setCheckpointUri(ck.getCheckpointUri())
                .addContainers("app")
                .build());
    Job done = f.awaitDone(second);
    assertThat(done.getState()).as(done.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(done.getImages(0).getReference())
        .isEqualTo(registry.hostPort() + "/stasis/restore:" + ckUid + "-app");
    assertThat(
            get(
                    "/v2/stasis/restore/manifests/" + ckUid + "-app",
                    "application/vnd.oci.image.manifest.v1+json")
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void wrongRegistryCredentialsFailWithAReason() throws Exception {
    f.start();
    Path store = tmp.resolve("store");
    String ckUid = "9cadbecf-0000-4000-8000-000000000999";
    f.operator().startCheckpoint(checkpoint(ckUid, "file://" + store).build());
    Job ck = f.awaitDone(ckUid);
    String uid = "adbecfd0-0000-4000-8000-000000000aaa";
    f.operator()
        .startRestore(
            StartRestoreRequest.newBuilder()
                .setJobId(uid)
                .setCheckpointUri(ck.getCheckpointUri())
                .setRegistry(registry.hostPort())
                .setRepository("stasis/checkpoints")
                .setRegistryPlainHttp(true)
                .build());
    Job done = f.awaitDone(uid);
    assertThat(done.getState()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(done.getReason()).isEqualTo(Reasons.REGISTRY_UNAUTHORIZED);
    assertThat(List.of(done.getMessage())).noneMatch(s -> s.contains("s3cret-pw"));
  }

  @Test
  void missingCheckpointIsCheckpointNotFound() throws Exception {
    f.start();
    String uid = "becfd0e1-0000-4000-8000-000000000bbb";
    f.operator()
        .startRestore(
            StartRestoreRequest.newBuilder()
                .setJobId(uid)
                .setCheckpointUri("file://" + tmp.resolve("nothing") + "/shop/web/x-12345678")
                .setRegistry(registry.hostPort())
                .setRepository("stasis/checkpoints")
                .setRegistryPlainHttp(true)
                .build());
    assertThat(f.awaitDone(uid).getReason()).isEqualTo(Reasons.CHECKPOINT_NOT_FOUND);
  }

  @Test
  void aCheckpointWhoseArchiveIsNotTheManifestsFailsVerificationAndPushesNothing()
      throws Exception {
    f.start();
    Path store = tmp.resolve("store");
    String ckUid = "d0e1f203-0000-4000-8000-000000000ccc";
    f.operator().startCheckpoint(checkpoint(ckUid, "file://" + store).build());
    Job ck = f.awaitDone(ckUid);
    assertThat(ck.getState()).as(ck.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);

    // The archive swapped for another: the manifest's SHA-256 no longer describes it.
    Path manifest = Path.of(URI.create(ck.getCheckpointUri() + "/manifest.json"));
    com.fasterxml.jackson.databind.node.ObjectNode m =
        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(manifest.toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) m.withArray("containers").get(0))
        .put("sha256", "0".repeat(64));
    Files.write(manifest, JSON.writeValueAsBytes(m));

    String uid = "e1f20314-0000-4000-8000-000000000ddd";
    restoreApp(uid, ck.getCheckpointUri());
    Job done = f.awaitDone(uid);
    assertThat(done.getState()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(done.getReason()).isEqualTo(Reasons.VERIFICATION_FAILED);
    assertThat(done.getMessage()).contains("failed verification", "0".repeat(64));
    assertThat(done.getImagesList()).isEmpty();
    assertThat(
            get(
                    "/v2/stasis/checkpoints/manifests/" + ckUid + "-app",
                    "application/vnd.oci.image.manifest.v1+json")
                .statusCode())
        .as("no image pushed")
        .isEqualTo(404);
  }
}
