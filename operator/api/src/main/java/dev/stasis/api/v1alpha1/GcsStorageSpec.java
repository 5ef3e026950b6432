package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Google Cloud Storage. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GcsStorageSpec {
  @Required
  @Pattern("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
  @JsonPropertyDescription("Bucket name.")
  private String bucket;

  @Pattern("^[^/].*$")
  @JsonPropertyDescription(
      "Object name prefix under which checkpoints are stored, without a leading slash.")
  private String prefix;

  @JsonPropertyDescription(
      "Google Cloud project that owns the bucket. Empty uses the project of the credentials.")
  private String project;

  @JsonPropertyDescription(
      "Secret with a service-account key under the key credentials.json. Empty uses"
          + " Application Default Credentials (GKE Workload Identity, metadata server).")
  private SecretRef credentialsSecret;

  public String getBucket() {
    return bucket;
  }

  public void setBucket(String bucket) {
    this.bucket = bucket;
  }

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public String getProject() {
    return project;
  }

  public void setProject(String project) {
    this.project = project;
  }

  public SecretRef getCredentialsSecret() {
    return credentialsSecret;
  }

  public void setCredentialsSecret(SecretRef credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }
}
