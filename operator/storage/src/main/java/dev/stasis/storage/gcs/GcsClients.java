package dev.stasis.storage.gcs;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

/** Builds the GCS client: a service-account key if given, else Application Default Credentials. */
public final class GcsClients {
  /**
   * Test seam, JVM-wide: when set, {@link #build} returns what this factory makes from (project,
   * credentials.json) instead of a client of Google's endpoint. It exists because no GCS emulator
   * runs where the tests run: the in-JVM end-to-end suite points every GCS client in its JVM
   * (operator and agents alike) at one in-memory fake. Null, the default, in production.
   */
  private static volatile BiFunction<String, String, Storage> testClientFactory;

  private GcsClients() {}

  /**
   * Tests only: every GCS client built in this JVM comes from {@code factory} from now on; null
   * restores real clients. The factory is given the project and credentials.json {@link #build} was
   * called with; each call should return a client the caller may close.
   */
  public static void overrideClientFactoryForTests(BiFunction<String, String, Storage> factory) {
    testClientFactory = factory;
  }

  /**
   * @param project the project, or null for the credentials' project
   * @param credentialsJson a service-account key (the Secret's credentials.json), or null for
   *     Application Default Credentials (GKE Workload Identity, metadata server, gcloud login)
   */
  public static Storage build(String project, String credentialsJson) {
    BiFunction<String, String, Storage> override = testClientFactory;
    if (override != null) {
      return override.apply(project, credentialsJson);
    }
    StorageOptions.Builder b = StorageOptions.newBuilder();
    if (project != null && !project.isBlank()) {
      b.setProjectId(project);
    }
    if (credentialsJson != null && !credentialsJson.isBlank()) {
      try {
        b.setCredentials(
            GoogleCredentials.fromStream(
                new ByteArrayInputStream(credentialsJson.getBytes(StandardCharsets.UTF_8))));
      } catch (IOException e) {
        throw new UncheckedIOException("unreadable GCS credentials.json: " + e.getMessage(), e);
      }
    }
    return b.build().getService();
  }
}
