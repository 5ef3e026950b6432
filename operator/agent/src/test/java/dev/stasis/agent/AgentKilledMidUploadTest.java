package dev.stasis.agent;

import static dev.stasis.agent.AgentFixture.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.agent.api.AgentAuth;
import dev.stasis.agent.api.JobPhases;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.v1.AgentGrpc;
import dev.stasis.agent.v1.GetJobRequest;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobState;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.s3.S3ObjectStore;
import dev.stasis.storage.s3.S3Settings;
import dev.stasis.testsupport.s3.S3Server;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * A real agent process ({@code java ... dev.stasis.agent.Main serve} on this module's class path)
 * killed with SIGKILL while it uploads a checkpoint to S3 (S3Proxy): no manifest exists, and the
 * next agent started on the same journal fails the job with AgentRestarted, aborts the multipart
 * upload the dead process left open, and deletes the archive objects and the kubelet archives.
 */
class AgentKilledMidUploadTest {
  private static final String BUCKET = "stasis-kill";
  private static final String UID = "d1e2f3a4-0000-4000-8000-00000000c1a0";

  @TempDir Path tmp;
  AgentFixture f;
  S3Server s3;
  S3ObjectStore bucket;
  Process agent;
  ManagedChannel channel;

  @BeforeEach
  void setUp() throws Exception {
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    f = new AgentFixture(tmp);
    bucket =
        S3ObjectStore.create(
            BUCKET,
            new S3Settings()
                .endpoint(s3.endpoint())
                .region(S3Server.REGION)
                .credentials(s3.accessKey(), s3.secretKey(), null));
  }

  @AfterEach
  void tearDown() {
    stop();
    bucket.close();
    f.close();
    s3.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The agent's environment as the DaemonSet gives it, S3 credentials from the environment. */
  private Map<String, String> env(int port) throws IOException {
    Path ca = tmp.resolve("kubelet-ca.crt");
    Files.writeString(ca, f.kubelet.tls().caPem());
    Map<String, String> env = f.env();
    env.put("STASIS_AGENT_PORT", String.valueOf(port));
    env.put("STASIS_METRICS_PORT", String.valueOf(freePort()));
    env.put("STASIS_KUBELET_CA", ca.toString());
    env.put("STASIS_KUBELET_TOKEN_FILE", tmp.resolve("kubelet-token").toString());
    env.put("STASIS_BANDWIDTH_LIMIT", "8Mi");
    env.put("KUBERNETES_MASTER", f.apiServer.url("/"));
    env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
    env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    env.putAll(s3.awsEnvironment());
    return env;
  }

  /** Starts {@code stasis serve} in a JVM of its own and waits until it answers. */
  private void startAgentProcess(Map<String, String> env, String log) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("serve");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(tmp.resolve(log).toFile());
    pb.environment().putAll(env);
    agent = pb.start();
    channel =
        Grpc.newChannelBuilderForAddress(
                "localhost",
                Integer.parseInt(env.get("STASIS_AGENT_PORT")),
                TlsChannelCredentials.newBuilder().trustManager(f.clientCa.toFile()).build())
            .build();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        getJob("00000000-0000-4000-8000-000000000000");
        return;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          return; // it answers
        }
        if (!agent.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError(
              "the agent process did not come up: " + Files.readString(tmp.resolve(log)), e);
        }
        Thread.sleep(200);
      }
    }
  }

  private AgentGrpc.AgentBlockingStub operator() {
    return AgentGrpc.newBlockingStub(channel)
        .withCallCredentials(AgentAuth.bearerCredentials(() -> AgentFixture.OPERATOR_TOKEN))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private Job getJob(String id) {
    return operator().getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  private void stop() {
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
    }
    if (agent != null) {
      agent.destroyForcibly();
      agent = null;
    }
  }

  private List<MultipartUpload> openUploads() {
    return bucket.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads();
  }

  /** Whether an upload is open in the bucket with at least one part stored. */
  private boolean aPartIsStored() {
    for (MultipartUpload u : openUploads()) {
      if (!bucket
          .client()
          .listParts(b -> b.bucket(BUCKET).key(u.key()).uploadId(u.uploadId()))
          .parts()
          .isEmpty()) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aKilledAgentLeavesNoCheckpointAndTheNextOneAbortsItsUploadAndFailsTheJob() throws Exception {
    assertThat(System.getProperty("java.class.path")).contains("classes");
    f.kubelet.pagesBytes(96L * 1024 * 1024);
    int port = freePort();
    Map<String, String> env = env(port);
    startAgentProcess(env, "agent-1.log");
    operator().startCheckpoint(checkpoint(UID, "s3://" + BUCKET + "/team").build());

    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!aPartIsStored()) {
      assertThat(System.nanoTime()).as("a part stored in time").isLessThan(deadline);
      Thread.sleep(50);
    }
    Job running = getJob(UID);
    assertThat(running.getState()).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(running.getPhase()).isEqualTo(JobPhases.UPLOADING);
    long pid = agent.pid();
    agent.destroyForcibly(); // SIGKILL: no shutdown hook, no abort, no journal update
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(agent.exitValue()).as("killed by SIGKILL (pid " + pid + ")").isEqualTo(137);
    channel.shutdownNow();

    // What the dead agent left: an open multipart upload, no manifest, the kubelet's archives.
    assertThat(openUploads()).hasSize(1);
    List<String> keys = bucket.list("team/").stream().map(ObjectInfo::key).toList();
    assertThat(keys).noneMatch(k -> k.endsWith("manifest.json"));
    assertThat(f.kubelet.archives()).isNotEmpty();

    startAgentProcess(env, "agent-2.log");
    Job after = getJob(UID);
    assertThat(after.getState()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(after.getReason()).isEqualTo(Reasons.AGENT_RESTARTED);
    assertThat(after.getMessage())
        .contains("restarted while this job was " + JobPhases.UPLOADING)
        .contains("what it had stored was removed")
        .doesNotContain("except");
    assertThat(openUploads()).isEmpty();
    assertThat(bucket.list("")).isEmpty();
    assertThat(f.kubelet.archives()).isEmpty();
    // A repeated start returns the failed job, never a second dump.
    Job again = operator().startCheckpoint(checkpoint(UID, "s3://" + BUCKET + "/team").build());
    assertThat(again.getState()).isEqualTo(JobState.JOB_STATE_FAILED);
    assertThat(f.kubelet.archives()).isEmpty();
    assertThat(new File(tmp.resolve("journal").toString(), UID + ".json")).exists();
  }
}
