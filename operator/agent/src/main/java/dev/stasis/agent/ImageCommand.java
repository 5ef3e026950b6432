package dev.stasis.agent;

import dev.stasis.agent.image.CheckpointImagePusher;
import dev.stasis.agent.store.CheckpointStore;
import dev.stasis.agent.store.EngineCheckpointStore;
import dev.stasis.agent.v1.StorageConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Turns a stored checkpoint into checkpoint OCI images and pushes them. */
@Command(
    name = "image",
    mixinStandardHelpOptions = true,
    description = {
      "Download and verify a stored checkpoint and push one checkpoint OCI image per container"
          + " (one layer: the kubelet archive; CRI-O and containerd annotations).",
      "--to registry/repo:tag tags a single container's image as given; with several containers,"
          + " or without a tag, each is tagged <tag or checkpoint uid>-<container>.",
      "Prints one line per image: <container> <reference>@<digest>."
    })
final class ImageCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--path", required = true, description = "the checkpoint's URI (its directory)")
  String path;

  @Option(names = "--to", required = true, description = "registry/repository[:tag]")
  String to;

  @Option(
      names = {"--container", "-c"},
      description = "only this container (repeatable)")
  List<String> containers = new ArrayList<>();

  @Option(names = "--plain-http", description = "talk HTTP to the registry (loopback, in-cluster)")
  boolean plainHttp;

  @Option(
      names = "--docker-config",
      description = "a dockerconfigjson with the registry's credentials",
      defaultValue = "${env:STASIS_REGISTRY_SECRET}")
  Path dockerConfig;

  @Override
  public Integer call() throws Exception {
    int slash = to.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException(
          "--to must be registry/repository[:tag], got '" + to + "'");
    }
    String registry = to.substring(0, slash);
    String repo = to.substring(slash + 1);
    String tag = null;
    int colon = repo.lastIndexOf(':');
    if (colon > 0) {
      tag = repo.substring(colon + 1);
      repo = repo.substring(0, colon);
    }
    byte[] auth =
        dockerConfig != null && Files.isReadable(dockerConfig)
            ? Files.readAllBytes(dockerConfig)
            : null;
    CheckpointImagePusher.Credentials creds = CheckpointImagePusher.credentialsFor(auth, registry);
    EngineCheckpointStore store = EngineCheckpointStore.fromEnvironment();
    PrintWriter out = spec.commandLine().getOut();
    Path work = Files.createTempDirectory("stasis-image");
    try (CheckpointStore.Source source =
        store.open(URI.create(path), StorageConfig.getDefaultInstance())) {
      List<CheckpointStore.StoredArchive> wanted = new ArrayList<>();
      for (CheckpointStore.StoredArchive a : source.archives()) {
        if (containers.isEmpty() || containers.contains(a.container())) {
          wanted.add(a);
        }
      }
      if (wanted.isEmpty()) {
        throw new IllegalArgumentException("no such container in the checkpoint at " + path);
      }
      CheckpointImagePusher pusher = new CheckpointImagePusher();
      for (CheckpointStore.StoredArchive a : wanted) {
        Path file = work.resolve(a.container() + ".tar");
        source.download(a.container(), file, n -> {});
        String t =
            tag != null && wanted.size() == 1
                ? tag
                : (tag != null ? tag : source.checkpointUid()) + "-" + a.container();
        CheckpointImagePusher.Pushed p =
            pusher.push(registry, repo, t, a.container(), file, creds, plainHttp);
        Files.deleteIfExists(file);
        out.println(a.container() + " " + p.reference() + "@" + p.digest());
        out.flush();
      }
    } catch (JobFailure f) {
      spec.commandLine().getErr().println("error: " + f.reason() + ": " + f.getMessage());
      return 1;
    } finally {
      try (var s = Files.list(work)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(work);
    }
    return 0;
  }
}
