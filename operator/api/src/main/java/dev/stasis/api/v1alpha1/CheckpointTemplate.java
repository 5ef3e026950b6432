package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.stasis.api.Stasis;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** What a CheckpointSchedule puts in the spec of each Checkpoint it creates. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.storage) && has(self.dir))",
    message = "set at most one of storage and dir")
public class CheckpointTemplate {
  @ValidationRule(
      value = "self.all(c, c.matches('" + Stasis.LABEL_NAME_PATTERN + "'))",
      message = "each container must be a container name (lower case letters, digits, '-')")
  @JsonPropertyDescription("Containers to checkpoint. Empty means every container of the pod.")
  private List<String> containers = new ArrayList<>();

  @Pattern(Stasis.NAME_PATTERN)
  @JsonPropertyDescription(
      "Name of the CheckpointStorage to write to. Empty: chosen from each pod's node.")
  private String storage;

  @Pattern(Stasis.URI_PATTERN)
  @JsonPropertyDescription(
      "Location to write to as a URI, instead of a CheckpointStorage (s3://, gs://, file://,"
          + " stasis://).")
  private String dir;

  @Default("zstd")
  @JsonPropertyDescription("Compression of the stored archives: zstd, lz4, gzip or none.")
  private Compression compression = Compression.ZSTD;

  @Default("Delete")
  @JsonPropertyDescription(
      "What deleting one of the created Checkpoints (by retention, or by hand) does to what it"
          + " stored: Delete (the default here, so that keepLast bounds the storage used) or"
          + " Retain.")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Delete;

  public List<String> getContainers() {
    return containers;
  }

  public void setContainers(List<String> containers) {
    this.containers = containers;
  }

  public String getStorage() {
    return storage;
  }

  public void setStorage(String storage) {
    this.storage = storage;
  }

  public String getDir() {
    return dir;
  }

  public void setDir(String dir) {
    this.dir = dir;
  }

  public Compression getCompression() {
    return compression;
  }

  public void setCompression(Compression compression) {
    this.compression = compression;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }
}
