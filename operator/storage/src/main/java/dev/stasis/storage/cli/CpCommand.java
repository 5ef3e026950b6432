package dev.stasis.storage.cli;

import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.storage.ArchiveUploader;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.DownloadResult;
import dev.stasis.storage.Expected;
import dev.stasis.storage.ProgressListener;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import dev.stasis.storage.UploadResult;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cp}: a local archive to an object (compressing) or an object to a local archive. */
@Command(
    name = "cp",
    mixinStandardHelpOptions = true,
    description = {
      "Copy an archive to storage, compressed, or from storage, decompressed and verified.",
      "  cp ./archive.tar s3://bucket/key.tar.zst     writes exactly that object",
      "  cp s3://bucket/key.tar.zst ./archive.tar     reads it back",
      "Compression comes from the object's extension (.zst, .lz4, .gz, none) or --compression.",
      "A download goes to a temporary file that replaces the target only once verified."
    })
public final class CpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "SOURCE",
      description = "A local file ('-': stdin) or a URI.")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET", description = "A URI or a local file.")
  String target;

  @Option(
      names = "--compression",
      paramLabel = "NAME",
      description = "zstd, lz4, gzip or none (default: from the object's extension).")
  String compression;

  @Option(
      names = "--sha256",
      paramLabel = "HEX",
      description = "Expected SHA-256 of the archive, checked when downloading.")
  String sha256;

  @Option(names = "--quiet", description = "Print nothing on success.")
  boolean quiet;

  @Option(
      names = "--progress",
      paramLabel = "WHEN",
      defaultValue = "auto",
      description =
          "A progress bar on stderr (bytes, rate, ETA): auto (only on a terminal, never when"
              + " piped or redirected; the default), always or never.")
  String progress;

  @Mixin StoreOptions store;

  static boolean isUri(String s) {
    return s.matches("^[a-z0-9]+://.*");
  }

  /** The {@code --compression} given, else the one that the object's name implies. */
  static Compression compressionOf(String option, String name) {
    return option != null ? Compression.fromValue(option) : fromExtension(name);
  }

  /** The compression an object's name implies. */
  static Compression fromExtension(String name) {
    if (name.endsWith(".zst") || name.endsWith(".zstd")) {
      return Compression.ZSTD;
    } else if (name.endsWith(".lz4")) {
      return Compression.LZ4;
    } else if (name.endsWith(".gz")) {
      return Compression.GZIP;
    }
    return Compression.NONE;
  }

  /** The progress bar this copy draws, or none. */
  private ProgressListener progressListener() {
    if (quiet || !ProgressBar.shown(progress)) {
      return ProgressListener.NONE;
    }
    return new ProgressBar(
        spec.commandLine().getErr(),
        ProgressBar.terminalWidth(StoreOptions.environment),
        Clock.systemUTC());
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ProgressListener bar = progressListener();
    boolean up = isUri(target);
    boolean down = isUri(source);
    if (up == down) {
      throw new IllegalArgumentException(
          "copy between a local file and a URI: exactly one of SOURCE and TARGET must be a URI");
    }
    if (up) {
      StorageUri uri = StorageUri.parse(target);
      Compression c = compressionOf(compression, uri.fileName());
      try (StorageLocation loc = store.open(uri.withPath(""));
          InputStream in =
              source.equals("-")
                  ? System.in
                  : new BufferedInputStream(Files.newInputStream(Path.of(source)), 1 << 16)) {
        long size = source.equals("-") ? -1 : Files.size(Path.of(source));
        UploadResult r;
        try {
          r = ArchiveUploader.upload(loc.store(), uri.path(), in, size, store.transfer(c), bar);
        } finally {
          finish(bar);
        }
        if (!quiet) {
          out.printf(
              "%s: %d bytes, stored %d bytes (%s, %d parts), sha256 %s%n",
              r.uri(), r.archiveBytes(), r.storedBytes(), c, r.parts(), r.sha256());
        }
      }
    } else {
      StorageUri uri = StorageUri.parse(source);
      Compression c = compressionOf(compression, uri.fileName());
      Path dest = Path.of(target);
      if (Files.isDirectory(dest)) {
        String name = uri.fileName();
        dest =
            dest.resolve(
                c == Compression.NONE
                    ? name
                    : name.substring(0, name.length() - c.extension().length()));
      }
      try (StorageLocation loc = store.open(uri.withPath(""))) {
        DownloadResult r;
        try {
          r =
              CheckpointRepository.downloadVerified(
                  loc.store(),
                  uri.path(),
                  c,
                  new Expected(null, sha256, null, null),
                  dest,
                  store.transfer(c),
                  bar);
        } finally {
          finish(bar);
        }
        if (!quiet) {
          out.printf(
              "%s: %d bytes, sha256 %s (verified by %s)%n",
              dest, r.archiveBytes(), r.sha256(), r.verifiedBy());
        }
      }
    }
    return 0;
  }

  private static void finish(ProgressListener bar) {
    if (bar instanceof ProgressBar b) {
      b.finish();
    }
  }
}
