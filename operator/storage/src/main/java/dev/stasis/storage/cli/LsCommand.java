package dev.stasis.storage.cli;

import dev.stasis.storage.CheckpointEntry;
import dev.stasis.storage.CheckpointManifest;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ls}: checkpoints of a namespace or pod, newest first; or the objects under a URI. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = {
      "List checkpoints (with --namespace), newest first, or the objects under a URI.",
      "  ls s3://bucket/prefix --namespace default [--pod web-0]",
      "  ls s3://bucket/prefix/default/web-0/nightly-1a2b3c4d"
    })
public final class LsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URI", description = "A storage location.")
  String location;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "List the checkpoints of this namespace.")
  String namespace;

  @Option(names = "--pod", paramLabel = "POD", description = "Only this pod's checkpoints.")
  String pod;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    StorageUri uri = StorageUri.parse(location);
    if (pod != null && namespace == null) {
      throw new IllegalArgumentException("--pod needs --namespace");
    }
    try (StorageLocation loc = store.open(uri)) {
      if (namespace != null) {
        CheckpointRepository repo = new CheckpointRepository(loc, store.transfer(null));
        List<CheckpointEntry> list = repo.list(namespace, pod);
        out.printf("%-20s  %-30s  %12s  %s%n", "CREATED", "POD/CHECKPOINT", "STORED", "URI");
        for (CheckpointEntry e : list) {
          CheckpointManifest m = e.manifest();
          out.printf(
              "%-20s  %-30s  %12d  %s%n",
              m.createdAt(),
              m.checkpoint().pod() + "/" + m.checkpoint().name(),
              m.storedBytes(),
              e.uri());
        }
      } else {
        List<ObjectInfo> objects = loc.store().list(loc.prefix());
        objects.sort(Comparator.comparing(ObjectInfo::key));
        for (ObjectInfo o : objects) {
          out.printf("%-20s  %12d  %s%n", o.lastModified(), o.size(), loc.store().uri(o.key()));
        }
      }
    }
    return 0;
  }
}
