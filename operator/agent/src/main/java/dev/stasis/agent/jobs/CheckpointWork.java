package dev.stasis.agent.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.agent.JobFailure;
import dev.stasis.agent.api.JobPhases;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.kubelet.KubeletClient;
import dev.stasis.agent.store.CheckpointStore;
import dev.stasis.agent.store.Throttle;
import dev.stasis.agent.v1.ContainerRef;
import dev.stasis.agent.v1.ContainerResult;
import dev.stasis.agent.v1.StartCheckpointRequest;
import dev.stasis.api.v1alpha1.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One checkpoint: every container asked for is checkpointed by the kubelet (one after the other,
 * close together), then each archive is streamed through the storage engine to {@code
 * <destination>/<ns>/<pod>/<checkpoint>-<uid8>/<container>.tar<ext>}, then the manifest is written,
 * then the kubelet's archives are deleted (unless kept). Any failure or a cancellation discards
 * what was stored.
 */
public class CheckpointWork implements JobWork {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointWork.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StartCheckpointRequest request;
  private final KubeletClient kubelet;
  private final CheckpointStore store;
  private final String nodeName;
  private final boolean keepKubeletArchives;
  private final Throttle throttle;
  private final Clock clock;

  public CheckpointWork(
      StartCheckpointRequest request,
      KubeletClient kubelet,
      CheckpointStore store,
      String nodeName,
      boolean keepKubeletArchives,
      Throttle throttle,
      Clock clock) {
    this.request = request;
    this.kubelet = kubelet;
    this.store = store;
    this.nodeName = nodeName;
    this.keepKubeletArchives = keepKubeletArchives;
    this.throttle = throttle;
    this.clock = clock;
  }

  /** {@code <destination>/<ns>/<pod>/<checkpoint>-<uid8>}, without a trailing slash. */
  public static String checkpointDir(StartCheckpointRequest r) {
    String base = r.getDestinationUri();
    while (base.endsWith("/") && !base.endsWith("///")) {
      base = base.substring(0, base.length() - 1);
    }
    String uid8 = r.getJobId().replace("-", "");
    uid8 = uid8.substring(0, Math.min(8, uid8.length()));
    return base
        + "/"
        + r.getNamespace()
        + "/"
        + r.getPodName()
        + "/"
        + r.getCheckpointName()
        + "-"
        + uid8;
  }

  /** The containers to checkpoint: those asked for, else every container of the pod spec. */
  public static Map<String, String> containers(StartCheckpointRequest r) throws JobFailure {
    Map<String, String> out = new LinkedHashMap<>();
    for (ContainerRef c : r.getContainersList()) {
      out.put(c.getName(), c.getImage());
    }
    if (!out.isEmpty()) {
      return out;
    }
    if (!r.getPodSpecJson().isBlank()) {
      try {
        JsonNode spec = JSON.readTree(r.getPodSpecJson());
        JsonNode list =
            spec.has("spec") ? spec.path("spec").path("containers") : spec.path("containers");
        for (JsonNode c : list) {
          out.put(c.path("name").asText(), c.path("image").asText(""));
        }
      } catch (IOException e) {
        throw new JobFailure(
            Reasons.INVALID_REQUEST, "pod_spec_json is not JSON: " + e.getMessage());
      }
    }
    if (out.isEmpty()) {
      throw new JobFailure(
          Reasons.INVALID_REQUEST, "no containers to checkpoint: name them or send the pod spec");
    }
    return out;
  }

  public static Compression compression(dev.stasis.agent.v1.Compression c) {
    return switch (c) {
      case COMPRESSION_LZ4 -> Compression.LZ4;
      case COMPRESSION_GZIP -> Compression.GZIP;
      case COMPRESSION_NONE -> Compression.NONE;
      default -> Compression.ZSTD;
    };
  }

  @Override
  public void run(JobContext ctx) throws JobFailure, InterruptedException {
    Map<String, String> containers = containers(request);
    String dir = checkpointDir(request);
    ctx.checkpointUri(dir);
    Duration timeout =
        request.getKubeletTimeoutSeconds() > 0
            ? Duration.ofSeconds(request.getKubeletTimeoutSeconds())
            : null;
    List<Path> archives = new ArrayList<>();
    CheckpointStore.Sink sink = null;
    boolean done = false;
    try {
      try {
        sink =
            store.create(
                request.getDestinationUri(),
                request.getStorage(),
                compression(request.getCompression()),
                new CheckpointStore.Key(
                    request.getNamespace(),
                    request.getPodName(),
                    request.getCheckpointName(),
                    request.getJobId()),
                nodeName);
        dir = sink.uri().toString();
        ctx.checkpointUri(dir);
      } catch (IOException | IllegalArgumentException e) {
        throw new JobFailure(
            Reasons.STORAGE_UNAVAILABLE,
            "cannot open the storage at " + request.getDestinationUri() + ": " + e.getMessage());
      }
      ctx.phase(JobPhases.CHECKPOINTING);
      long total = 0;
      for (String name : containers.keySet()) {
        checkCancelled(ctx);
        Path archive =
            kubelet.checkpoint(request.getNamespace(), request.getPodName(), name, timeout);
        archives.add(archive);
        ctx.kubeletArchive(archive);
        total += size(archive);
      }
      ctx.phase(JobPhases.UPLOADING);
      long done0 = 0;
      List<CheckpointStore.StoredArchive> stored = new ArrayList<>();
      long storedBytes = 0;
      int i = 0;
      for (Map.Entry<String, String> c : containers.entrySet()) {
        checkCancelled(ctx);
        Path archive = archives.get(i++);
        long size = size(archive);
        final long base = done0;
        final long all = total;
        CheckpointStore.StoredArchive s;
        try (InputStream in = throttle.wrap(Files.newInputStream(archive))) {
          s = sink.putArchive(c.getKey(), c.getValue(), in, size, n -> ctx.progress(base + n, all));
        } catch (InterruptedException e) {
          throw e;
        } catch (java.io.InterruptedIOException e) {
          throw new InterruptedException("upload interrupted");
        } catch (IOException e) {
          if (ctx.cancelled()) {
            throw new InterruptedException("cancelled");
          }
          throw new JobFailure(
              Reasons.UPLOAD_FAILED,
              "storing the archive of container "
                  + c.getKey()
                  + " under "
                  + dir
                  + " failed: "
                  + e.getMessage());
        }
        done0 += size;
        ctx.progress(done0, total);
        stored.add(s);
        storedBytes += s.storedBytes();
        ctx.addContainer(
            ContainerResult.newBuilder()
                .setName(s.container())
                .setImage(s.image() == null ? "" : s.image())
                .setArchiveBytes(s.archiveBytes())
                .setStoredBytes(s.storedBytes())
                .setSha256(s.sha256())
                .setObjectUri(s.objectUri())
                .setCompression(s.compression())
                .build());
        ctx.storedBytes(storedBytes);
      }
      checkCancelled(ctx);
      ctx.phase(JobPhases.WRITING_MANIFEST);
      long manifestBytes;
      try {
        manifestBytes =
            sink.putManifest(
                request.getPodSpecJson(),
                request.getPodLabelsMap(),
                request.getPodAnnotationsMap());
      } catch (IOException e) {
        throw new JobFailure(
            Reasons.UPLOAD_FAILED,
            "writing the manifest under " + dir + " failed: " + e.getMessage());
      }
      ctx.manifestWritten();
      if (!sink.membersMissing().isEmpty()) {
        ctx.note(
            "stored on the write quorum; member(s) "
                + String.join(", ", sink.membersMissing())
                + " missed it: 'stasis verify --repair "
                + dir
                + "' copies it to them once they are back");
      }
      ctx.storedBytes(storedBytes + manifestBytes);
      done = true;
      LOG.info(
          "checkpoint {} stored at {} ({} bytes)",
          request.getJobId(),
          dir,
          storedBytes + manifestBytes);
    } finally {
      if (!done && sink != null) {
        ctx.phase(JobPhases.CLEANING);
        sink.discard();
      }
      if (sink != null) {
        sink.close();
      }
      if (!keepKubeletArchives) {
        for (Path a : archives) {
          try {
            Files.deleteIfExists(a);
            ctx.kubeletArchiveRemoved(a);
          } catch (IOException e) {
            LOG.warn("cannot delete the kubelet archive {}: {}", a, e.toString());
          }
        }
      }
    }
  }

  private static void checkCancelled(JobContext ctx) throws InterruptedException {
    if (ctx.cancelled() || Thread.currentThread().isInterrupted()) {
      throw new InterruptedException("cancelled");
    }
  }

  private static long size(Path p) throws JobFailure {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new JobFailure(
          Reasons.KUBELET_UNAVAILABLE, "cannot read the kubelet archive " + p + ": " + e);
    }
  }
}
