package dev.stasis.controller.agent;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.stasis.agent.api.AgentAuth;
import dev.stasis.agent.v1.AgentGrpc;
import dev.stasis.agent.v1.CancelJobRequest;
import dev.stasis.agent.v1.ContainerRef;
import dev.stasis.agent.v1.GetJobRequest;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.StartCheckpointRequest;
import dev.stasis.agent.v1.StartRestoreRequest;
import dev.stasis.api.v1alpha1.Compression;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Calls agents over gRPC with TLS: the agents' certificates must chain to the CA in {@code
 * STASIS_AGENT_CA} and name {@code serverName} (the channel's authority; agents are called by pod
 * IP). Every call carries the operator's service-account token, re-read from its projected file so
 * that rotation is picked up. One channel per agent address, kept until {@link #close()}.
 */
public final class GrpcAgentClient implements AgentClient {
  private volatile ChannelCredentials tls;
  private Path caFile;
  private java.nio.file.attribute.FileTime caStamp;
  private final CallCredentials token;
  private final String serverName;
  private final Duration deadline;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public GrpcAgentClient(
      ChannelCredentials tls, Supplier<String> token, String serverName, Duration deadline) {
    this.tls = tls;
    this.token = AgentAuth.bearerCredentials(token);
    this.serverName = serverName;
    this.deadline = deadline;
  }

  /** TLS trusting only the CA bundle in {@code caFile}; the token read from {@code tokenFile}. */
  public static GrpcAgentClient fromFiles(Path caFile, Path tokenFile, String serverName) {
    GrpcAgentClient client =
        new GrpcAgentClient(
            trusting(caFile), () -> readToken(tokenFile), serverName, Duration.ofSeconds(15));
    client.caFile = caFile;
    client.caStamp = stamp(caFile);
    return client;
  }

  private static ChannelCredentials trusting(Path caFile) {
    try {
      return TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the agent CA " + caFile + ": " + e.getMessage(), e);
    }
  }

  private static java.nio.file.attribute.FileTime stamp(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return null;
    }
  }

  /** A rotated CA (the mounted file changed) is used for new connections from then on. */
  private synchronized void reloadCaIfChanged() {
    if (caFile == null) {
      return;
    }
    var now = stamp(caFile);
    if (now != null && !now.equals(caStamp)) {
      tls = trusting(caFile);
      caStamp = now;
      channels.values().forEach(ManagedChannel::shutdown);
      channels.clear();
    }
  }

  private static String readToken(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the service-account token " + file, e);
    }
  }

  @Override
  public AgentJob startCheckpoint(AgentEndpoint agent, CheckpointJobRequest r) {
    StartCheckpointRequest.Builder request =
        StartCheckpointRequest.newBuilder()
            .setJobId(r.jobId())
            .setNamespace(r.namespace())
            .setPodName(r.podName())
            .setPodUid(r.podUid() == null ? "" : r.podUid())
            .setCheckpointName(r.checkpointName())
            .setDestinationUri(r.destinationUri())
            .setStorage(storage(r.storage()))
            .setCompression(compression(r.compression()))
            .setPodSpecJson(r.podSpecJson())
            .putAllPodLabels(r.podLabels())
            .putAllPodAnnotations(r.podAnnotations());
    r.containers()
        .forEach(
            c ->
                request.addContainers(
                    ContainerRef.newBuilder()
                        .setName(c.name())
                        .setImage(c.image() == null ? "" : c.image())));
    return call(agent, "StartCheckpoint", stub -> stub.startCheckpoint(request.build()));
  }

  @Override
  public AgentJob startRestore(AgentEndpoint agent, RestoreJobRequest r) {
    StartRestoreRequest request =
        StartRestoreRequest.newBuilder()
            .setJobId(r.jobId())
            .setCheckpointUri(r.checkpointUri())
            .setStorage(storage(r.storage()))
            .addAllContainers(r.containers())
            .setRegistry(r.registry() == null ? "" : r.registry())
            .setRepository(r.repository() == null ? "" : r.repository())
            .setRegistryPlainHttp(r.registryPlainHttp())
            .build();
    return call(agent, "StartRestore", stub -> stub.startRestore(request));
  }

  @Override
  public AgentJob getJob(AgentEndpoint agent, String jobId) {
    return call(
        agent, "GetJob", stub -> stub.getJob(GetJobRequest.newBuilder().setJobId(jobId).build()));
  }

  @Override
  public AgentJob cancelJob(AgentEndpoint agent, String jobId) {
    return call(
        agent,
        "CancelJob",
        stub -> stub.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build()));
  }

  private AgentJob call(
      AgentEndpoint agent, String method, Function<AgentGrpc.AgentBlockingStub, Job> rpc) {
    reloadCaIfChanged();
    ManagedChannel channel = channels.computeIfAbsent(agent.target(), this::open);
    AgentGrpc.AgentBlockingStub stub =
        AgentGrpc.newBlockingStub(channel)
            .withCallCredentials(token)
            .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return toJob(rpc.apply(stub));
    } catch (StatusRuntimeException e) {
      String where =
          method
              + " on agent "
              + agent.podName()
              + " ("
              + agent.target()
              + ", node "
              + agent.nodeName()
              + ")";
      String why =
          e.getStatus().getCode()
              + (e.getStatus().getDescription() == null
                  ? ""
                  : ": " + e.getStatus().getDescription());
      switch (e.getStatus().getCode()) {
        case NOT_FOUND -> throw new JobNotFoundException(where + ": " + why, e);
        case UNAUTHENTICATED,
            PERMISSION_DENIED,
            INVALID_ARGUMENT,
            FAILED_PRECONDITION,
            UNIMPLEMENTED ->
            throw new AgentRefusedException(where + " refused: " + why, e);
        default -> {
          channels.remove(agent.target(), channel);
          channel.shutdownNow();
          throw new AgentUnreachableException(where + " failed: " + why, e);
        }
      }
    }
  }

  private ManagedChannel open(String target) {
    var builder = Grpc.newChannelBuilder(target, tls);
    if (serverName != null && !serverName.isBlank()) {
      builder.overrideAuthority(serverName);
    }
    return builder.build();
  }

  static dev.stasis.agent.v1.StorageConfig storage(StorageConfig config) {
    var b =
        dev.stasis.agent.v1.StorageConfig.newBuilder()
            .setName(config.name())
            .setSpecJson(config.specJson());
    config.credentials().forEach((k, v) -> b.putCredentials(k, ByteString.copyFrom(v)));
    config.members().forEach(m -> b.addMembers(storage(m)));
    return b.build();
  }

  static dev.stasis.agent.v1.Compression compression(Compression c) {
    if (c == null) {
      return dev.stasis.agent.v1.Compression.COMPRESSION_UNSPECIFIED;
    }
    return switch (c) {
      case ZSTD -> dev.stasis.agent.v1.Compression.COMPRESSION_ZSTD;
      case LZ4 -> dev.stasis.agent.v1.Compression.COMPRESSION_LZ4;
      case GZIP -> dev.stasis.agent.v1.Compression.COMPRESSION_GZIP;
      case NONE -> dev.stasis.agent.v1.Compression.COMPRESSION_NONE;
    };
  }

  static AgentJob toJob(Job job) {
    AgentJob.State state =
        switch (job.getState()) {
          case JOB_STATE_QUEUED -> AgentJob.State.QUEUED;
          case JOB_STATE_SUCCEEDED -> AgentJob.State.SUCCEEDED;
          case JOB_STATE_FAILED -> AgentJob.State.FAILED;
          case JOB_STATE_CANCELLED -> AgentJob.State.CANCELLED;
          default -> AgentJob.State.RUNNING;
        };
    return new AgentJob(
        job.getId(),
        state,
        job.getPhase(),
        job.getReason(),
        job.getMessage(),
        job.getBytesDone(),
        job.getBytesTotal(),
        job.getContainersList().stream()
            .map(
                c ->
                    new AgentJob.ContainerResult(
                        c.getName(),
                        c.getImage(),
                        c.getArchiveBytes(),
                        c.getStoredBytes(),
                        c.getSha256(),
                        c.getObjectUri(),
                        c.getCompression()))
            .toList(),
        job.getCheckpointUri(),
        job.getImagesList().stream()
            .map(i -> new AgentJob.PushedImage(i.getContainer(), i.getReference(), i.getDigest()))
            .toList(),
        job.getStoredBytes(),
        job.getNodeName(),
        job.hasStartTime() ? instant(job.getStartTime()) : null,
        job.hasCompletionTime() ? instant(job.getCompletionTime()) : null);
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
