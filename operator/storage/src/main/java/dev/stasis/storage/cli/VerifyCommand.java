package dev.stasis.storage.cli;

import dev.stasis.storage.ArchiveDownloader;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.DownloadResult;
import dev.stasis.storage.Expected;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import java.io.OutputStream;
import java.io.PrintWriter;
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
      "  verify s3://bucket/key.tar.zst [--sha256 HEX]"
    })
public final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URI", description = "A checkpoint or an archive object.")
  String location;

  @Option(names = "--sha256", paramLabel = "HEX", description = "Expected archive SHA-256.")
  String sha256;

  @Option(names = "--compression", paramLabel = "NAME", description = "For a single object.")
  String compression;

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
      for (DownloadResult r : repo.verify(uri.toUri(), null)) {
        out.printf("OK %s: %d bytes, sha256 %s%n", r.uri(), r.archiveBytes(), r.sha256());
      }
    }
    return 0;
  }
}
