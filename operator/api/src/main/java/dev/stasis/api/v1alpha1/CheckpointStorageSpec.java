package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Where checkpoints go, and which nodes send them there. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.s3) ? 1 : 0) + (has(self.gcs) ? 1 : 0) + (has(self.filesystem) ? 1 : 0)"
            + " + (has(self.replicated) ? 1 : 0) == 1",
    message = "exactly one of s3, gcs, filesystem or replicated must be set")
public class CheckpointStorageSpec {
  @JsonPropertyDescription("Amazon S3 or an S3-compatible server.")
  private S3StorageSpec s3;

  @JsonPropertyDescription("Google Cloud Storage.")
  private GcsStorageSpec gcs;

  @JsonPropertyDescription("A directory on the node or on a mounted volume.")
  private FilesystemStorageSpec filesystem;

  @JsonPropertyDescription("The global store: several member storages with a write quorum.")
  private ReplicatedStorageSpec replicated;

  @JsonPropertyDescription(
      "Nodes whose checkpoints go here when a Checkpoint names neither storage nor dir.")
  private StorageMatch match;

  @Default("0")
  @Min(0)
  @Max(1000)
  @JsonPropertyDescription(
      "When several storages match a node, the highest priority wins; ties go to the name"
          + " that sorts first.")
  private Integer priority = 0;

  @Default("false")
  @JsonPropertyDescription(
      "Use this storage for nodes no other storage matches. At most one storage may be the"
          + " default; the operator marks a second one Unavailable.")
  private Boolean isDefault = false;

  public S3StorageSpec getS3() {
    return s3;
  }

  public void setS3(S3StorageSpec s3) {
    this.s3 = s3;
  }

  public GcsStorageSpec getGcs() {
    return gcs;
  }

  public void setGcs(GcsStorageSpec gcs) {
    this.gcs = gcs;
  }

  public FilesystemStorageSpec getFilesystem() {
    return filesystem;
  }

  public void setFilesystem(FilesystemStorageSpec filesystem) {
    this.filesystem = filesystem;
  }

  public ReplicatedStorageSpec getReplicated() {
    return replicated;
  }

  public void setReplicated(ReplicatedStorageSpec replicated) {
    this.replicated = replicated;
  }

  public StorageMatch getMatch() {
    return match;
  }

  public void setMatch(StorageMatch match) {
    this.match = match;
  }

  public Integer getPriority() {
    return priority;
  }

  public void setPriority(Integer priority) {
    this.priority = priority;
  }

  @com.fasterxml.jackson.annotation.JsonProperty("default")
  public Boolean getIsDefault() {
    return isDefault;
  }

  @com.fasterxml.jackson.annotation.JsonProperty("default")
  public void setIsDefault(Boolean isDefault) {
    this.isDefault = isDefault;
  }

  /** The backend type as shown in the TYPE column: s3, gcs, filesystem or replicated. */
  public String backendType() {
    if (s3 != null) {
      return "s3";
    } else if (gcs != null) {
      return "gcs";
    } else if (filesystem != null) {
      return "filesystem";
    } else if (replicated != null) {
      return "replicated";
    }
    return null;
  }
}
