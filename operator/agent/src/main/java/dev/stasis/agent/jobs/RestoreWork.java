package dev.stasis.agent.jobs;

import dev.stasis.agent.JobFailure;
import dev.stasis.agent.api.JobPhases;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.image.CheckpointImagePusher;
import dev.stasis.agent.store.CheckpointStore;
import dev.stasis.agent.v1.ContainerResult;
import dev.stasis.agent.v1.PushedImage;
import dev.stasis.agent.v1.StartRestoreRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One restore: read the manifest, download and verify each container's archive into the work
 * directory, push a checkpoint image per container, report reference and digest.
 */
public class RestoreWork implements JobWork {
  private final StartRestoreRequest request;
  private final CheckpointStore store;
  private final CheckpointImagePusher pusher;
  private final Path workDir;
  private final String defaultRegistry;
  private final String defaultRepository;
  private final Path defaultDockerConfig;
  private final boolean defaultPlainHttp;

  public RestoreWork(
      StartRestoreRequest request,
      CheckpointStore store,
      CheckpointImagePusher pusher,
      Path workDir,
      String defaultRegistry,
      String defaultRepository,
      Path defaultDockerConfig,
      boolean defaultPlainHttp) {
    this.request = request;
    this.store = store;
    this.pusher = pusher;
    this.workDir = workDir;
    this.defaultRegistry = defaultRegistry;
    this.defaultRepository = defaultRepository;
    this.defaultDockerConfig = defaultDockerConfig;
    this.defaultPlainHttp = defaultPlainHttp;
  }

  /**
   * The agent's own registry credentials (STASIS_REGISTRY_SECRET), read now: the mounted Secret is
   * refreshed in place when it changes. Null (anonymous) when none is configured.
   */
  private byte[] readDockerConfig() throws JobFailure {
    if (defaultDockerConfig == null) {
      return null;
    }
    try {
      return Files.readAllBytes(defaultDockerConfig);
    } catch (IOException e) {
      throw new JobFailure(
          Reasons.REGISTRY_UNAUTHORIZED,
          "cannot read the registry credentials in STASIS_REGISTRY_SECRET ("
              + defaultDockerConfig
              + "): "
              + e.getClass().getSimpleName()
              + "; is the registry Secret mounted?");
    }
  }

  @Override
  public void run(JobContext ctx) throws JobFailure, InterruptedException {
    String registry = request.getRegistry().isBlank() ? defaultRegistry : request.getRegistry();
    if (registry == null || registry.isBlank()) {
      throw new JobFailure(
          Reasons.INVALID_REQUEST,
          "no registry to push to: set it in the request or STASIS_REGISTRY");
    }
    String repository =
        request.getRepository().isBlank() ? defaultRepository : request.getRepository();
    if (repository == null || repository.isBlank()) {
      throw new JobFailure(
          Reasons.INVALID_REQUEST,
          "no repository to push to: set it in the request or STASIS_REGISTRY_REPOSITORY");
    }
    String uri = request.getCheckpointUri();
    ctx.checkpointUri(uri);
    Path dir = workDir.resolve(ctx.jobId());
    ctx.phase(JobPhases.DOWNLOADING);
    try (CheckpointStore.Source source = open(uri)) {
      List<CheckpointStore.StoredArchive> wanted = new ArrayList<>();
      for (CheckpointStore.StoredArchive a : source.archives()) {
        if (request.getContainersCount() == 0
            || request.getContainersList().contains(a.container())) {
          wanted.add(a);
        }
      }
      for (String asked : request.getContainersList()) {
        if (wanted.stream().noneMatch(a -> a.container().equals(asked))) {
          throw new JobFailure(
              Reasons.CHECKPOINT_NOT_FOUND,
              "the checkpoint at " + uri + " has no container " + asked);
        }
      }
      long total = wanted.stream().mapToLong(CheckpointStore.StoredArchive::archiveBytes).sum();
      Files.createDirectories(dir);
      List<Path> files = new ArrayList<>();
      long done = 0;
      for (CheckpointStore.StoredArchive a : wanted) {
        if (ctx.cancelled()) {
          throw new InterruptedException("cancelled");
        }
        Path target = dir.resolve(a.container() + ".tar");
        final long base = done;
        try {
          source.download(a.container(), target, n -> ctx.progress(base + n, total));
        } catch (CheckpointStore.IntegrityFailure e) {
          throw new JobFailure(
              Reasons.VERIFICATION_FAILED,
              "the archive of "
                  + a.container()
                  + " at "
                  + uri
                  + " failed verification: "
                  + e.getMessage());
        } catch (java.io.InterruptedIOException e) {
          throw new InterruptedException("cancelled");
        } catch (IOException e) {
          throw new JobFailure(
              Reasons.STORAGE_UNAVAILABLE,
              "downloading the archive of "
                  + a.container()
                  + " from "
                  + uri
                  + " failed: "
                  + e.getMessage());
        }
        done += a.archiveBytes();
        ctx.progress(done, total);
        ctx.addContainer(
            ContainerResult.newBuilder()
                .setName(a.container())
                .setImage(a.image() == null ? "" : a.image())
                .setArchiveBytes(a.archiveBytes())
                .setStoredBytes(a.storedBytes())
                .setSha256(a.sha256())
                .setObjectUri(a.objectUri())
                .setCompression(a.compression())
                .build());
        files.add(target);
      }
      ctx.phase(JobPhases.PUSHING);
      byte[] auth =
          request.getRegistryAuth().isEmpty()
              ? readDockerConfig()
              : request.getRegistryAuth().toByteArray();
      CheckpointImagePusher.Credentials creds;
      try {
        creds = CheckpointImagePusher.credentialsFor(auth, registry);
      } catch (IOException | IllegalArgumentException e) {
        throw new JobFailure(
            Reasons.REGISTRY_UNAUTHORIZED, "the registry credentials are not a dockerconfigjson");
      }
      boolean plain = request.getRegistryPlainHttp() || defaultPlainHttp;
      for (int i = 0; i < wanted.size(); i++) {
        if (ctx.cancelled()) {
          throw new InterruptedException("cancelled");
        }
        String container = wanted.get(i).container();
        CheckpointImagePusher.Pushed p =
            pusher.push(
                registry,
                repository,
                CheckpointImagePusher.tag(source.checkpointUid(), container),
                container,
                files.get(i),
                creds,
                plain);
        ctx.addImage(
            PushedImage.newBuilder()
                .setContainer(container)
                .setReference(p.reference())
                .setDigest(p.digest())
                .build());
      }
    } catch (IOException e) {
      throw new JobFailure(
          Reasons.INTERNAL, "restore work directory " + dir + ": " + e.getMessage());
    } finally {
      deleteTree(dir);
    }
  }

  private CheckpointStore.Source open(String uri) throws JobFailure {
    try {
      return store.open(URI.create(uri), request.getStorage());
    } catch (CheckpointStore.NotFound e) {
      throw new JobFailure(
          Reasons.CHECKPOINT_NOT_FOUND,
          "no checkpoint at " + uri + " (no manifest.json): " + e.getMessage());
    } catch (IOException | IllegalArgumentException e) {
      throw new JobFailure(
          Reasons.STORAGE_UNAVAILABLE,
          "cannot read the checkpoint at " + uri + ": " + e.getMessage());
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
