package dev.stasis.storage.gcs;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds the GCS client: a service-account key if given, else Application Default Credentials. */
public final class GcsClients {
  private GcsClients() {}

  /**
   * @param project the project, or null for the credentials' project
   * @param credentialsJson a service-account key (the Secret's credentials.json), or null for
   *     Application Default Credentials (GKE Workload Identity, metadata server, gcloud login)
   */
  public static Storage build(String project, String credentialsJson) {
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
