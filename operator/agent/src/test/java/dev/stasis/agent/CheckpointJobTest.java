package dev.stasis.agent;

import static dev.stasis.agent.AgentFixture.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.agent.api.JobPhases;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.v1.CancelJobRequest;
import dev.stasis.agent.v1.ContainerRef;
import dev.stasis.agent.v1.ContainerResult;
import dev.stasis.agent.v1.GetJobRequest;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.StartCheckpointRequest;
import dev.stasis.agent.v1.WatchJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointJobTest {
  @TempDir Path tmp;
  AgentFixture f;
  Path store;
  String dest;

  @BeforeEach
  void setUp() throws Exception {
    f = new AgentFixture(tmp);
    store = tmp.resolve("store");
    Files.createDirectories(store);
    dest = "file://" + store + "/prefix";
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Test
  void checkpointFromGrpcCallToStorageWithManifestAndChecksums() throws Exception {
    Map<String, String> env = f.env();
    env.put("STASIS_KEEP_KUBELET_ARCHIVES", "true");
    f.start(env);
    String uid = "0a1b2c3d-4e5f-4000-8000-00000000aaaa";
    StartCheckpointRequest req =
        checkpoint(uid, dest)
            .setCompression(dev.stasis.agent.v1.Compression.COMPRESSION_NONE)
            .build();
    Job started = f.operator().startCheckpoint(req);
    assertThat(started.getId()).isEqualTo(uid);
    assertThat(started.getKind()).isEqualTo(JobKind.JOB_KIND_CHECKPOINT);

    // WatchJob streams updates until the job is done.
    List<Job> seen = new ArrayList<>();
    Iterator<Job> it = f.operator().watchJob(WatchJobRequest.newBuilder().setJobId(uid).build());
    it.forEachRemaining(seen::add);
    Job done = seen.get(seen.size() - 1);
    assertThat(done.getState()).as(done.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(done.getPhase()).isEqualTo(JobPhases.DONE);
    assertThat(done.getNodeName()).isEqualTo("node-a");
    assertThat(done.getBytesDone()).isEqualTo(done.getBytesTotal()).isPositive();

    Path dir = store.resolve("prefix/shop/web/nightly-0a1b2c3d");
    assertThat(done.getCheckpointUri()).isEqualTo("file://" + dir);
    JsonNode manifest = AgentFixture.json(dir.resolve("manifest.json"));
    assertThat(manifest.path("kind").asText()).isEqualTo("CheckpointManifest");
    assertThat(manifest.path("node").asText()).isEqualTo("node-a");
    assertThat(manifest.path("podSpec").path("containers").size()).isEqualTo(2);

    List<Path> archives = f.kubelet.archives();
    assertThat(archives).hasSize(2);
    assertThat(done.getContainersList())
        .extracting(ContainerResult::getName)
        .containsExactly("app", "sidecar");
    for (ContainerResult c : done.getContainersList()) {
      Path kubeletArchive =
          archives.stream()
              .filter(
                  p ->
                      p.getFileName()
                          .toString()
                          .startsWith("checkpoint-web_shop-" + c.getName() + "-"))
              .findFirst()
              .orElseThrow();
      Path object = dir.resolve(c.getName() + ".tar");
      assertThat(c.getObjectUri()).isEqualTo("file://" + object);
      assertThat(c.getSha256()).isEqualTo(sha256(kubeletArchive)).isEqualTo(sha256(object));
      assertThat(c.getArchiveBytes()).isEqualTo(Files.size(kubeletArchive));
      JsonNode entry = null;
      for (JsonNode n : manifest.path("containers")) {
        if (n.path("name").asText().equals(c.getName())) {
          entry = n;
        }
      }
      assertThat(entry).isNotNull();
      assertThat(entry.path("sha256").asText()).isEqualTo(c.getSha256());
    }
    assertThat(f.kubelet.requests()).containsExactly("shop/web/app", "shop/web/sidecar");

    // Metrics and health.
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + f.agent.metricsPort();
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    String metrics =
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .contains("stasis_agent_jobs_finished_total")
        .contains("state=\"succeeded\"");
  }

  @Test
  void theManifestKeepsThePodsLabelsAndAnnotations() throws Exception {
    f.start();
    String labelled = "2c3d4e5f-0000-4000-8000-00000000cccc";
    f.operator()
        .startCheckpoint(
            checkpoint(labelled, dest)
                .putPodLabels("app", "web")
                .putPodLabels("pod-template-hash", "5d8f9c7b6")
                .putPodAnnotations("team.example.com/owner", "payments")
                .build());
    assertThat(f.awaitDone(labelled).getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    // One after the other: the fake kubelet names its archives by the second.
    Thread.sleep(1100);
    String bare = "3d4e5f60-0000-4000-8000-00000000dddd";
    f.operator().startCheckpoint(checkpoint(bare, dest).setCheckpointName("bare").build());
    assertThat(f.awaitDone(bare).getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);

    JsonNode metadata =
        AgentFixture.json(store.resolve("prefix/shop/web/nightly-2c3d4e5f/manifest.json"))
            .path("podMetadata");
    assertThat(metadata.path("labels").path("app").asText()).isEqualTo("web");
    assertThat(metadata.path("labels").path("pod-template-hash").asText()).isEqualTo("5d8f9c7b6");
    assertThat(metadata.path("labels").size()).isEqualTo(2);
    assertThat(metadata.path("annotations").path("team.example.com/owner").asText())
        .isEqualTo("payments");
    assertThat(metadata.path("annotations").size()).isEqualTo(1);
    // The storage module reads them back.
    try (var repo =
        new dev.stasis.storage.CheckpointRepository(
            new dev.stasis.storage.StorageLocation(
                new dev.stasis.storage.fs.FileObjectStore(store), "prefix"),
            dev.stasis.storage.TransferOptions.defaults())) {
      var m =
          repo.readManifest(
              URI.create("file://" + store.resolve("prefix/shop/web/nightly-2c3d4e5f")));
      assertThat(m.podMetadata().labels())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("app", "web", "pod-template-hash", "5d8f9c7b6"));
    }

    // A request without labels or annotations (an older operator) writes no podMetadata.
    assertThat(
            AgentFixture.json(store.resolve("prefix/shop/web/bare-3d4e5f60/manifest.json"))
                .has("podMetadata"))
        .isFalse();
  }

  @Test
  void kubeletArchivesAreDeletedOnceStoredAndZstdRoundTrips() throws Exception {
    f.start();
    String uid = "1b2c3d4e-0000-4000-8000-00000000bbbb";
    f.operator().startCheckpoint(checkpoint(uid, dest).build());
    Job done = f.awaitDone(uid);
    assertThat(done.getState()).as(done.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(done.getContainers(0).getObjectUri()).endsWith("/app.tar.zst");
    assertThat(done.getContainers(0).getStoredBytes())
        .isLessThan(done.getContainers(0).getArchiveBytes());
    assertThat(f.kubelet.archives()).isEmpty();
    assertThat(done.getStoredBytes()).isGreaterThan(0);
  }

  @Test
  void repeatedStartWithTheSameUidReturnsTheSameJobAndDumpsOnce() throws Exception {
    f.start();
    f.kubelet.pause();
    String uid = "2c3d4e5f-0000-4000-8000-00000000cccc";
    Job first = f.operator().startCheckpoint(checkpoint(uid, dest).build());
    f.await(uid, j -> j.getState() == JobState.JOB_STATE_RUNNING, Duration.ofSeconds(10));
    Job second = f.operator().startCheckpoint(checkpoint(uid, dest).build());
    assertThat(second.getId()).isEqualTo(first.getId());
    assertThat(second.getCreateTime()).isEqualTo(first.getCreateTime());
    f.kubelet.resume();
    Job done = f.awaitDone(uid);
    Job third = f.operator().startCheckpoint(checkpoint(uid, dest).build());
    assertThat(done.getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(third.getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(f.kubelet.requestCount()).isEqualTo(2); // one per container, once
    // Same id, other kind: refused.
    assertThatThrownBy(
            () ->
                f.operator()
                    .startRestore(
                        dev.stasis.agent.v1.StartRestoreRequest.newBuilder()
                            .setJobId(uid)
                            .setCheckpointUri(done.getCheckpointUri())
                            .setRepository("r")
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  @Test
  void concurrencyLimitQueuesTheRest() throws Exception {
    Map<String, String> env = f.env();
    env.put("STASIS_MAX_CONCURRENT_JOBS", "2");
    f.start(env);
    for (int i = 0; i < 3; i++) {
      f.kubelet.addPod("shop", "web" + i, Map.of("app", "nginx:1.27"));
    }
    f.kubelet.pause();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String uid = "3d4e5f60-0000-4000-8000-00000000000" + i;
      ids.add(uid);
      f.operator()
          .startCheckpoint(
              checkpoint(uid, dest)
                  .setPodName("web" + i)
                  .clearContainers()
                  .addContainers(ContainerRef.newBuilder().setName("app"))
                  .build());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (f.kubelet.inFlight() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(300); // give a third job the chance to (wrongly) start
    assertThat(f.kubelet.inFlight()).isEqualTo(2);
    List<JobState> states = new ArrayList<>();
    for (String id : ids) {
      states.add(f.operator().getJob(GetJobRequest.newBuilder().setJobId(id).build()).getState());
    }
    assertThat(states)
        .containsExactly(
            JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_QUEUED);
    assertThat(f.agent.jobs().queuedCount()).isEqualTo(1);
    f.kubelet.resume();
    for (String id : ids) {
      assertThat(f.awaitDone(id).getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    }
  }

  @Test
  void cancelAbortsTheUploadAndWritesNoManifest() throws Exception {
    Map<String, String> env = f.env();
    env.put("STASIS_BANDWIDTH_LIMIT", "1Mi");
    f.start(env);
    f.kubelet.pagesBytes(4 * 1024 * 1024);
    String uid = "4e5f6071-0000-4000-8000-00000000dddd";
    f.operator().startCheckpoint(checkpoint(uid, dest).build());
    f.await(
        uid,
        j -> j.getPhase().equals(JobPhases.UPLOADING) && j.getBytesDone() > 0,
        Duration.ofSeconds(20));
    Job cancelled = f.operator().cancelJob(CancelJobRequest.newBuilder().setJobId(uid).build());
    assertThat(cancelled.getState()).isEqualTo(JobState.JOB_STATE_CANCELLED);
    assertThat(cancelled.getReason()).isEqualTo(Reasons.CANCELLED);
    Path dir = store.resolve("prefix/shop/web/nightly-4e5f6071");
    assertThat(dir.resolve("manifest.json")).doesNotExist();
    AgentFixture.assertNoFiles(dir);
    assertThat(f.kubelet.archives()).isEmpty();
    // Cancelling a finished job changes nothing.
    assertThat(
            f.operator().cancelJob(CancelJobRequest.newBuilder().setJobId(uid).build()).getState())
        .isEqualTo(JobState.JOB_STATE_CANCELLED);
  }

  @Test
  void restartedAgentReportsAgentRestartedAndCleansUp() throws Exception {
    Map<String, String> env = f.env();
    env.put("STASIS_BANDWIDTH_LIMIT", "2Mi");
    f.start(env);
    f.kubelet.pagesBytes(3 * 1024 * 1024);
    String uid = "5f607182-0000-4000-8000-00000000eeee";
    f.operator().startCheckpoint(checkpoint(uid, dest).build());
    // Wait until the first archive is stored and the second is on its way.
    f.await(uid, j -> j.getContainersCount() == 1, Duration.ofSeconds(30));
    Path dir = store.resolve("prefix/shop/web/nightly-5f607182");
    assertThat(dir.resolve("app.tar.zst")).exists();
    assertThat(f.kubelet.archives()).hasSize(2);
    f.agent.kill(); // as a crash: the journal still says RUNNING
    f.stopAgent();

    f.start(env);
    Job after = f.operator().getJob(GetJobRequest.newBuilder().setJobId(uid).build());
    assertThat(after.getState()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(after.getReason()).isEqualTo(Reasons.AGENT_RESTARTED);
    assertThat(after.getMessage()).contains("restarted");
    assertThat(dir.resolve("manifest.json")).doesNotExist();
    AgentFixture.assertNoFiles(dir);
    assertThat(f.kubelet.archives()).isEmpty();
  }

  @Test
  void kubeletErrorsBecomeReasons() throws Exception {
    f.start();
    // Unknown container.
    String a = "60718293-0000-4000-8000-000000000001";
    f.operator()
        .startCheckpoint(
            checkpoint(a, dest)
                .clearContainers()
                .addContainers(ContainerRef.newBuilder().setName("nope"))
                .build());
    Job ja = f.awaitDone(a);
    assertThat(ja.getReason()).isEqualTo(Reasons.CONTAINER_NOT_FOUND);
    assertThat(ja.getMessage()).contains("feature gate");

    // Feature gate off.
    f.kubelet.featureGate(false);
    String b = "60718293-0000-4000-8000-000000000002";
    f.operator().startCheckpoint(checkpoint(b, dest).build());
    assertThat(f.awaitDone(b).getReason()).isEqualTo(Reasons.CONTAINER_NOT_FOUND);
    f.kubelet.featureGate(true);

    // Runtime without checkpoint support.
    f.kubelet.runtimeSupportsCheckpoint(false);
    String c = "60718293-0000-4000-8000-000000000003";
    f.operator().startCheckpoint(checkpoint(c, dest).build());
    Job jc = f.awaitDone(c);
    assertThat(jc.getState()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(jc.getReason()).isEqualTo(Reasons.CHECKPOINT_UNSUPPORTED);
    assertThat(jc.getMessage()).contains("CRIU");
    f.kubelet.runtimeSupportsCheckpoint(true);

    // Too slow for the timeout.
    f.kubelet.delay(Duration.ofSeconds(3));
    String d = "60718293-0000-4000-8000-000000000004";
    f.operator().startCheckpoint(checkpoint(d, dest).setKubeletTimeoutSeconds(1).build());
    assertThat(f.awaitDone(d).getReason()).isEqualTo(Reasons.KUBELET_TIMEOUT);
    f.kubelet.delay(Duration.ZERO);

    // The agent's token lacks RBAC (403), then is wrong (401).
    f.kubelet.forbidToken("forbidden-token");
    Files.writeString(tmp.resolve("kubelet-token"), "forbidden-token");
    String e = "60718293-0000-4000-8000-000000000005";
    f.operator().startCheckpoint(checkpoint(e, dest).build());
    Job je = f.awaitDone(e);
    assertThat(je.getReason()).isEqualTo(Reasons.KUBELET_UNAUTHORIZED);
    assertThat(je.getMessage()).contains("nodes/checkpoint");
    Files.writeString(tmp.resolve("kubelet-token"), "wrong-token");
    String g = "60718293-0000-4000-8000-000000000006";
    f.operator().startCheckpoint(checkpoint(g, dest).build());
    assertThat(f.awaitDone(g).getReason()).isEqualTo(Reasons.KUBELET_UNAUTHORIZED);

    // Nothing was stored for any of them.
    AgentFixture.assertNoFiles(store);
  }
}
