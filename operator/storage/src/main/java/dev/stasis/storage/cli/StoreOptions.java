package dev.stasis.storage.cli;

import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import dev.stasis.storage.StoreFactory;
import dev.stasis.storage.TransferOptions;
import dev.stasis.storage.s3.S3Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every storage command shares: how to reach the store and how to move data. */
public final class StoreOptions {
  /** The environment; tests replace it. */
  public static Map<String, String> environment = System.getenv();

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "S3-compatible endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS).")
  String endpoint;

  @Option(
      names = "--path-style",
      description =
          "Address buckets in the path. Implied by an endpoint that is an IP address or localhost.")
  boolean pathStyle;

  @Option(
      names = "--region",
      paramLabel = "REGION",
      description = "AWS region (default: AWS_REGION, then the AWS default chain).")
  String region;

  @Option(
      names = "--gcs-project",
      paramLabel = "PROJECT",
      description = "Google Cloud project (default: the credentials').")
  String gcsProject;

  @Option(
      names = "--storages",
      paramLabel = "FILE",
      description =
          "CheckpointStorages and the Secrets they name, in YAML (kubectl get"
              + " checkpointstorages,secret/NAME -o yaml): opens stasis://NAME/... here.")
  Path storages;

  @Option(
      names = "--part-size",
      paramLabel = "SIZE",
      description = "Bytes per upload part and ranged read, e.g. 8MiB (default ${DEFAULT-VALUE}).",
      defaultValue = "8MiB")
  String partSize;

  @Option(
      names = "--frame-size",
      paramLabel = "SIZE",
      description = "Archive bytes per compressed frame (default ${DEFAULT-VALUE}).",
      defaultValue = "4MiB")
  String frameSize;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      description = "Parts or ranges in flight (default ${DEFAULT-VALUE}).",
      defaultValue = "4")
  int concurrency;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Compression threads (default: one per core).")
  Integer threads;

  @Option(
      names = "--level",
      paramLabel = "N",
      description = "Compression level (zstd 1-19, gzip 1-9; default 1).")
  Integer level;

  /** Parses 123, 64KiB, 8MiB, 1GiB (also K, M, G, KB, MB, GB as powers of 1024). */
  public static long parseSize(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
    long mult = 1;
    if (t.endsWith("K")) {
      mult = 1024;
    } else if (t.endsWith("M")) {
      mult = 1024 * 1024;
    } else if (t.endsWith("G")) {
      mult = 1024L * 1024 * 1024;
    }
    if (mult > 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Long.parseLong(t.trim()) * mult;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a size: '" + s + "' (use e.g. 8MiB)");
    }
  }

  /** The transfer options these flags set, with {@code compression} if not null. */
  public TransferOptions transfer(Compression compression) {
    TransferOptions o =
        TransferOptions.defaults()
            .withPartSize((int) parseSize(partSize))
            .withFrameSize((int) parseSize(frameSize))
            .withConcurrency(concurrency);
    if (threads != null) {
      o = o.withThreads(threads);
    }
    if (level != null) {
      o = o.withLevel(level);
    }
    if (compression != null) {
      o = o.withCompression(compression);
    }
    return o;
  }

  StoreFactory.UriSettings uriSettings() {
    StoreFactory.UriSettings u = new StoreFactory.UriSettings();
    S3Settings s3 = S3Settings.fromEnvironment(environment);
    if (endpoint != null) {
      s3.endpoint(endpoint);
    }
    if (region != null) {
      s3.region(region);
    }
    if (pathStyle) {
      s3.pathStyle(true);
    }
    s3.maxConnections(Math.max(8, concurrency * 2 + 4));
    u.s3 = s3;
    u.gcsProject = gcsProject;
    return u;
  }

  /** Opens the store of {@code uri} with these flags (the kubectl plugin's ls --dir uses it). */
  public StorageLocation open(StorageUri uri) throws IOException {
    StorageCli.awaitCryptoSetup();
    StoreFactory.UriSettings u = uriSettings();
    if (storages != null) {
      u.context =
          StoragesFile.load(storages, new S3Settings().maxConnections(u.s3.maxConnections()));
    }
    return StoreFactory.open(uri, u);
  }
}
