package dev.stasis.controller.support;

import com.google.protobuf.Timestamp;
import dev.stasis.agent.api.AgentAuth;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.v1.AgentGrpc;
import dev.stasis.agent.v1.CancelJobRequest;
import dev.stasis.agent.v1.ContainerRef;
import dev.stasis.agent.v1.ContainerResult;
import dev.stasis.agent.v1.GetJobRequest;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.PushedImage;
import dev.stasis.agent.v1.StartCheckpointRequest;
import dev.stasis.agent.v1.StartRestoreRequest;
import dev.stasis.agent.v1.WatchJobRequest;
import dev.stasis.controller.storage.StoredCheckpoint;
import dev.stasis.testsupport.kube.ClusterCa;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node agent at the gRPC boundary: implements {@code stasis.agent.v1.Agent} over TLS with the
 * bearer-token check, runs jobs the way the contract says (a repeated start returns the existing
 * job; work that fails ends FAILED with a reason), "dumps" by producing archives of known content
 * and writes the manifest into the shared {@link InMemoryStorage}. Counts dumps, so that tests can
 * prove there never is a second one.
 */
public final class SimulatedAgent extends AgentGrpc.AgentImplBase implements AutoCloseable {
  public static final String TOKEN = "operator-test-token";

  private final String nodeName;
  private final InMemoryStorage storage;
  private final Server server;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final ExecutorService work =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "agent-job");
            t.setDaemon(true);
            return t;
          });
  public final AtomicInteger dumps = new AtomicInteger();

  /** Checkpoint jobs whose work is over (succeeded, failed or stopped after a cancel). */
  public final AtomicInteger finishedDumps = new AtomicInteger();

  public final AtomicInteger restores = new AtomicInteger();
  public final AtomicInteger calls = new AtomicInteger();

  /** The last StartCheckpoint request received. */
  public volatile StartCheckpointRequest lastCheckpointRequest;

  /** Pods whose checkpoint job fails with this reason (e.g. CheckpointUnsupported). */
  public final Map<String, String> failures = new ConcurrentHashMap<>();

  /** Pods whose checkpoint job waits in Checkpointing until the latch opens. */
  public final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

  public SimulatedAgent(
      String nodeName, String host, int port, ClusterCa.Issued tls, InMemoryStorage storage)
      throws IOException {
    this.nodeName = nodeName;
    this.storage = storage;
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
            .useTransportSecurity(tls.cert().toFile(), tls.key().toFile())
            .addService(ServerInterceptors.intercept(this, new TokenCheck()))
            .build()
            .start();
  }

  /** Refuses calls without the operator's token, as the real agent does after its TokenReview. */
  private static final class TokenCheck implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      if (!AgentAuth.bearer(TOKEN).equals(headers.get(AgentAuth.AUTHORIZATION_KEY))) {
        call.close(Status.UNAUTHENTICATED.withDescription("invalid token"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }

  private static Timestamp now() {
    Instant i = Instant.now();
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  @Override
  public void startCheckpoint(StartCheckpointRequest request, StreamObserver<Job> response) {
    calls.incrementAndGet();
    lastCheckpointRequest = request;
    Job existing = jobs.get(request.getJobId());
    if (existing != null) {
      response.onNext(existing);
      response.onCompleted();
      return;
    }
    Job job =
        Job.newBuilder()
            .setId(request.getJobId())
            .setKind(JobKind.JOB_KIND_CHECKPOINT)
            .setState(JobState.JOB_STATE_RUNNING)
            .setPhase("Checkpointing")
            .setNodeName(nodeName)
            .setCreateTime(now())
            .setStartTime(now())
            .build();
    jobs.put(job.getId(), job);
    dumps.incrementAndGet();
    work.submit(() -> runCheckpoint(request));
    response.onNext(job);
    response.onCompleted();
  }

  private void runCheckpoint(StartCheckpointRequest request) {
    try {
      CountDownLatch gate = gates.get(request.getPodName());
      if (gate != null) {
        gate.await(60, TimeUnit.SECONDS);
      }
      Thread.sleep(100);
      String reason = failures.get(request.getPodName());
      if (reason != null) {
        update(
            request.getJobId(),
            j ->
                j.setState(JobState.JOB_STATE_FAILED)
                    .setReason(reason)
                    .setMessage(
                        Reasons.CHECKPOINT_UNSUPPORTED.equals(reason)
                            ? "the kubelet answered 500: the container runtime cannot checkpoint (CRI-O or containerd 2.1+ with CRIU is needed)"
                            : "failed: " + reason)
                    .setCompletionTime(now()));
        return;
      }
      String dir =
          request.getDestinationUri()
              + "/"
              + request.getNamespace()
              + "/"
              + request.getPodName()
              + "/"
              + request.getCheckpointName()
              + "-"
              + request.getJobId().substring(0, 8);
      long total = 0;
      var containers = new java.util.ArrayList<ContainerResult>();
      var stored = new java.util.ArrayList<StoredCheckpoint.StoredContainer>();
      var refs = request.getContainersList();
      for (ContainerRef c : refs) {
        byte[] archive =
            ("archive of " + request.getPodName() + "/" + c.getName())
                .repeat(4000)
                .getBytes(StandardCharsets.UTF_8);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive));
        long storedBytes = archive.length / 3;
        String object = dir + "/" + c.getName() + ".tar.zst";
        containers.add(
            ContainerResult.newBuilder()
                .setName(c.getName())
                .setImage(c.getImage())
                .setArchiveBytes(archive.length)
                .setStoredBytes(storedBytes)
                .setSha256(sha)
                .setObjectUri(object)
                .setCompression("zstd")
                .build());
        stored.add(
            new StoredCheckpoint.StoredContainer(
                c.getName(), c.getImage(), object, "zstd", archive.length, storedBytes, sha));
        total += archive.length;
      }
      long all = total;
      update(
          request.getJobId(),
          j -> j.setPhase("Uploading").setBytesDone(all / 2).setBytesTotal(all));
      Thread.sleep(300);
      if (cancelled(request.getJobId())) {
        // As the real agent: a cancelled job discards what it uploaded and writes no manifest.
        return;
      }
      PodSpec spec = Serialization.unmarshal(request.getPodSpecJson(), PodSpec.class);
      storage.put(
          new StoredCheckpoint(
              dir,
              request.getNamespace(),
              request.getPodName(),
              request.getPodUid(),
              request.getCheckpointName(),
              request.getJobId(),
              nodeName,
              Instant.now(),
              Serialization.asJson(spec),
              request.getPodLabelsMap(),
              request.getPodAnnotationsMap(),
              stored));
      long storedTotal =
          stored.stream().mapToLong(StoredCheckpoint.StoredContainer::storedBytes).sum();
      update(
          request.getJobId(),
          j ->
              j.setState(JobState.JOB_STATE_SUCCEEDED)
                  .setPhase("Done")
                  .setBytesDone(all)
                  .clearContainers()
                  .addAllContainers(containers)
                  .setCheckpointUri(dir)
                  .setStoredBytes(storedTotal)
                  .setCompletionTime(now()));
    } catch (Exception e) {
      update(
          request.getJobId(),
          j ->
              j.setState(JobState.JOB_STATE_FAILED)
                  .setReason(Reasons.INTERNAL)
                  .setMessage(e.toString()));
    } finally {
      finishedDumps.incrementAndGet();
    }
  }

  @Override
  public void startRestore(StartRestoreRequest request, StreamObserver<Job> response) {
    calls.incrementAndGet();
    Job existing = jobs.get(request.getJobId());
    if (existing == null) {
      existing =
          Job.newBuilder()
              .setId(request.getJobId())
              .setKind(JobKind.JOB_KIND_RESTORE)
              .setState(JobState.JOB_STATE_RUNNING)
              .setPhase("Downloading")
              .setNodeName(nodeName)
              .setCheckpointUri(request.getCheckpointUri())
              .setStartTime(now())
              .build();
      jobs.put(existing.getId(), existing);
      restores.incrementAndGet();
      work.submit(() -> runRestore(request));
    }
    response.onNext(existing);
    response.onCompleted();
  }

  private void runRestore(StartRestoreRequest request) {
    try {
      Thread.sleep(100);
      if (!storage.contains(request.getCheckpointUri())) {
        update(
            request.getJobId(),
            j ->
                j.setState(JobState.JOB_STATE_FAILED)
                    .setReason(Reasons.CHECKPOINT_NOT_FOUND)
                    .setMessage("no manifest.json at " + request.getCheckpointUri()));
        return;
      }
      update(request.getJobId(), j -> j.setPhase("Pushing"));
      Thread.sleep(100);
      String uid =
          request.getCheckpointUri().substring(request.getCheckpointUri().lastIndexOf('-') + 1);
      update(
          request.getJobId(),
          j -> {
            j.setState(JobState.JOB_STATE_SUCCEEDED).setPhase("Done").setCompletionTime(now());
            for (String c : request.getContainersList()) {
              j.addImages(
                  PushedImage.newBuilder()
                      .setContainer(c)
                      .setReference("registry.test:5000/stasis/checkpoints:" + uid + "-" + c)
                      .setDigest("sha256:" + HexFormat.of().formatHex(sha(uid + c)))
                      .build());
            }
            return j;
          });
    } catch (Exception e) {
      update(
          request.getJobId(),
          j ->
              j.setState(JobState.JOB_STATE_FAILED)
                  .setReason(Reasons.INTERNAL)
                  .setMessage(e.toString()));
    }
  }

  private static byte[] sha(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<Job> response) {
    calls.incrementAndGet();
    Job job = jobs.get(request.getJobId());
    if (job == null) {
      response.onError(
          Status.NOT_FOUND.withDescription("no job " + request.getJobId()).asRuntimeException());
      return;
    }
    response.onNext(job);
    response.onCompleted();
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<Job> response) {
    response.onError(Status.UNIMPLEMENTED.asRuntimeException());
  }

  @Override
  public void cancelJob(CancelJobRequest request, StreamObserver<Job> response) {
    calls.incrementAndGet();
    Job job =
        update(
            request.getJobId(),
            j ->
                j.getState() == JobState.JOB_STATE_RUNNING
                    ? j.setState(JobState.JOB_STATE_CANCELLED).setReason(Reasons.CANCELLED)
                    : j);
    if (job == null) {
      response.onError(Status.NOT_FOUND.asRuntimeException());
      return;
    }
    response.onNext(job);
    response.onCompleted();
  }

  private boolean cancelled(String id) {
    Job job = jobs.get(id);
    return job != null && job.getState() == JobState.JOB_STATE_CANCELLED;
  }

  private Job update(String id, java.util.function.UnaryOperator<Job.Builder> change) {
    return jobs.computeIfPresent(
        id,
        (k, j) ->
            j.getState() == JobState.JOB_STATE_CANCELLED ? j : change.apply(j.toBuilder()).build());
  }

  @Override
  public void close() {
    server.shutdownNow();
    work.shutdownNow();
  }
}
