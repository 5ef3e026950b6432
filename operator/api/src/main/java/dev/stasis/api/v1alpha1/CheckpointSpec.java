package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.stasis.api.Stasis;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** One checkpoint of one pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.storage) && has(self.dir))",
    message = "set at most one of storage and dir")
public class CheckpointSpec {
  @Required
  @Size(min = 1, max = 253)
  @Pattern(Stasis.NAME_PATTERN)
  @ValidationRule(value = "self == oldSelf", message = "podName is immutable")
  @JsonPropertyDescription("Name of the pod to checkpoint, in the Checkpoint's namespace.")
  private String podName;

  @ValidationRule(value = "self == oldSelf", message = "containers is immutable")
  @ValidationRule(
      value = "self.all(c, c.matches('" + Stasis.LABEL_NAME_PATTERN + "'))",
      message = "each container must be a container name (lower case letters, digits, '-')")
  @JsonPropertyDescription("Containers to checkpoint. Empty means every container of the pod.")
  private List<String> containers = new ArrayList<>();

  @Pattern(Stasis.NAME_PATTERN)
  @ValidationRule(value = "self == oldSelf", message = "storage is immutable")
  @JsonPropertyDescription(
      "Name of the CheckpointStorage to write to. Empty: chosen from the pod's node (matching"
          + " storages by priority, else the default).")
  private String storage;

  @Pattern(Stasis.URI_PATTERN)
  @ValidationRule(value = "self == oldSelf", message = "dir is immutable")
  @JsonPropertyDescription(
      "Location to write to as a URI, instead of a CheckpointStorage: s3://bucket/prefix,"
          + " gs://bucket/prefix, file:///path or stasis://<replicated storage>/prefix.")
  private String dir;

  @Default("true")
  @ValidationRule(value = "self == oldSelf", message = "leaveRunning is immutable")
  @JsonPropertyDescription(
      "Keep the pod running after the checkpoint. false deletes the pod once the checkpoint"
          + " is Completed (a migration).")
  private Boolean leaveRunning = true;

  @Default("zstd")
  @ValidationRule(value = "self == oldSelf", message = "compression is immutable")
  @JsonPropertyDescription("Compression of the stored archives: zstd, lz4, gzip or none.")
  private Compression compression = Compression.ZSTD;

  @Default("Retain")
  @JsonPropertyDescription(
      "What deleting this resource does to the stored checkpoint: Retain keeps it, Delete"
          + " removes its archives and manifest.")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Retain;

  @Pattern(Stasis.DURATION_PATTERN)
  @JsonPropertyDescription(
      "Delete this Checkpoint (and, per deletionPolicy, its objects) this long after it"
          + " completed, for example 24h, 7d or 1h30m. Empty keeps it until deleted.")
  private String ttl;

  public String getPodName() {
    return podName;
  }

  public void setPodName(String podName) {
    this.podName = podName;
  }

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

  public Boolean getLeaveRunning() {
    return leaveRunning;
  }

  public void setLeaveRunning(Boolean leaveRunning) {
    this.leaveRunning = leaveRunning;
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

  public String getTtl() {
    return ttl;
  }

  public void setTtl(String ttl) {
    this.ttl = ttl;
  }
}
