package dev.stasis.storage.cli;

import dev.stasis.storage.CheckpointManifest;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.NoSuchObjectException;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rm}: delete a checkpoint (manifest first, then its archives) or one object. */
@Command(
    name = "rm",
    mixinStandardHelpOptions = true,
    description = {
      "Delete a checkpoint (its manifest first, then every object in its directory and its"
          + " unfinished uploads), a partial checkpoint (no manifest), or one object.",
      "  rm s3://bucket/prefix/default/web-0/nightly-1a2b3c4d",
      "  rm s3://bucket/key.tar.zst"
    })
public final class RmCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URI", description = "A checkpoint or an object.")
  String location;

  @Mixin StoreOptions store;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    StorageUri uri = StorageUri.parse(location);
    try (StorageLocation loc = store.open(uri.withPath(""))) {
      String manifest = uri.path() + "/" + CheckpointManifest.FILE_NAME;
      if (loc.store().stat(manifest).isPresent()) {
        new CheckpointRepository(loc, store.transfer(null)).delete(uri.toUri());
        out.printf("deleted checkpoint %s%n", uri);
      } else if (loc.store().stat(uri.path()).isPresent()) {
        loc.store().delete(uri.path());
        out.printf("deleted %s%n", uri);
      } else {
        // A partial checkpoint (a writer that failed or died before the manifest): its objects
        // and unfinished uploads.
        int objects = loc.store().list(uri.path() + "/").size();
        int uploads = loc.store().abortUploads(uri.path() + "/");
        if (objects == 0 && uploads == 0) {
          throw new NoSuchObjectException("nothing at " + uri + " (no checkpoint, no object)");
        }
        new CheckpointRepository(loc, store.transfer(null)).delete(uri.toUri());
        out.printf(
            "deleted partial checkpoint %s (no manifest): %d object(s), %d unfinished upload(s)%n",
            uri, objects, uploads);
      }
    }
    return 0;
  }
}
