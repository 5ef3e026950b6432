package dev.stasis.storage.cli;

import dev.stasis.storage.ArchiveDownloader;
import dev.stasis.storage.CheckpointReplicas;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.DownloadResult;
import dev.stasis.storage.Expected;
import dev.stasis.storage.StorageException;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code verify}: read a checkpoint (or one object) back and check every SHA-256. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Read a checkpoint's archives (or one object) back and check sizes and SHA-256.",
      "  verify s3://bucket/prefix/default/web-0/nightly-1a2b3c4d",
      "  verify s3://bucket/key.tar.zst [--sha256 HEX]",
      "For a stasis:// checkpoint, also each member's copy; one that lacks it fails the command"
          + " unless --repair copies it from a member that holds it whole.",
      "  verify stasis://global/prefix/default/web-0/nightly-1a2b3c4d --storages FILE [--repair]"
    })
public final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URI", description = "A checkpoint or an archive object.")
  String location;

  @Option(names = "--sha256", paramLabel = "HEX", description = "Expected archive SHA-256.")
  String sha256;

  @Option(names = "--compression", paramLabel = "NAME", description = "For a single object.")
  String compression;

  @Option(
      names = "--repair",
      description =
          "stasis:// checkpoints: copy what a member lacks from a member that holds it (archives"
              + " checked against the manifest's SHA-256, manifest last).")
  boolean repair;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    StorageUri uri = StorageUri.parse(location);
    boolean object = uri.fileName().matches(".*\\.tar(\\.zst|\\.zstd|\\.lz4|\\.gz)?$");
    if (object) {
      var c = CpCommand.compressionOf(compression, uri.fileName());
      try (StorageLocation loc = store.open(uri.withPath(""))) {
        DownloadResult r =
            ArchiveDownloader.download(
                loc.store(),
                uri.path(),
                c,
                new Expected(null, sha256, null, null),
                OutputStream.nullOutputStream(),
                store.transfer(c),
                null);
        out.printf(
            "OK %s: %d bytes, sha256 %s (verified by %s)%n",
            r.uri(), r.archiveBytes(), r.sha256(), r.verifiedBy());
      }
      return 0;
    }
    try (StorageLocation loc = store.open(uri.withPath(""))) {
      CheckpointRepository repo = new CheckpointRepository(loc, store.transfer(null));
      // A replicated checkpoint: every member's copy is read and checked (and repaired, if asked)
      // first, so that the archives verified below come from whole copies.
      List<CheckpointReplicas.MemberCopy> copies =
          CheckpointReplicas.applies(repo) ? members(out, uri, new CheckpointReplicas(repo)) : null;
      for (DownloadResult r : repo.verify(uri.toUri(), null)) {
        out.printf("OK %s: %d bytes, sha256 %s%n", r.uri(), r.archiveBytes(), r.sha256());
      }
      if (copies != null) {
        failUnlessWhole(uri, copies);
      }
    }
    return 0;
  }

  /** Each member's copy, repaired first if asked for; printed. */
  private List<CheckpointReplicas.MemberCopy> members(
      PrintWriter out, StorageUri uri, CheckpointReplicas replicas) throws IOException {
    List<CheckpointReplicas.MemberCopy> copies = replicas.check(uri.toUri());
    if (repair && copies.stream().anyMatch(c -> !c.whole() && c.error() == null)) {
      copies = replicas.repair(uri.toUri());
      out.printf("repaired %s%n", uri);
    }
    for (CheckpointReplicas.MemberCopy c : copies) {
      out.printf("member %s%n", c.describe());
    }
    return copies;
  }

  private void failUnlessWhole(StorageUri uri, List<CheckpointReplicas.MemberCopy> copies)
      throws StorageException {
    List<String> incomplete =
        copies.stream()
            .filter(c -> !c.whole())
            .map(CheckpointReplicas.MemberCopy::describe)
            .toList();
    if (!incomplete.isEmpty()) {
      throw new StorageException(
          uri
              + " is not whole on every member: "
              + String.join("; ", incomplete)
              + (repair ? "" : "; --repair copies it from a member that holds it"));
    }
  }
}
