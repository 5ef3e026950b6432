package dev.stasis.e2e.cluster;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.stasis.storage.gcs.GcsClients;
import dev.stasis.testsupport.registry.RegistryServer;
import dev.stasis.testsupport.s3.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the clusters of this JVM store into, started once for the whole run and shared by every
 * cluster (as two real clusters share buckets): S3Proxy with SigV4 on, one in-memory GCS that every
 * GCS client built in this JVM talks to (google-cloud-nio's LocalStorageHelper through the {@link
 * GcsClients} test seam: there is no GCS emulator here), and the real OCI registry (Debian's
 * docker-registry) when it is installed.
 */
final class Backends {
  /** The bucket the S3 and GCS samples name; it exists on both test servers. */
  static final String BUCKET = "my-stasis-bucket";

  private static Backends shared;

  final Path dir;
  final S3Server s3;
  final Storage gcs;
  final RegistryServer registry;

  private Backends(Path dir) throws IOException {
    this.dir = dir;
    s3 = S3Server.start();
    s3.createBucket(BUCKET);
    StorageOptions options = LocalStorageHelper.customOptions(true);
    gcs = options.getService();
    // Each client the storage module builds is a new one over the same in-memory data, so that
    // closing a store (which closes its client) does not close the others'.
    GcsClients.overrideClientFactoryForTests(
        (project, credentialsJson) -> options.toBuilder().build().getService());
    registry = RegistryServer.available() ? RegistryServer.start(dir.resolve("registry")) : null;
  }

  /** The backends of this JVM, started on first use and stopped when the JVM exits. */
  static synchronized Backends shared() {
    if (shared == null) {
      try {
        Backends b = new Backends(Files.createTempDirectory("stasis-e2e-backends"));
        Runtime.getRuntime().addShutdownHook(new Thread(b::close, "stasis-e2e-backends"));
        shared = b;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** Why restore images cannot be pushed here, or null when the registry runs. */
  String registryMissing() {
    return registry == null ? RegistryServer.unavailableReason() : null;
  }

  private void close() {
    if (registry != null) {
      registry.close();
    }
    s3.close();
    GcsClients.overrideClientFactoryForTests(null);
  }
}
