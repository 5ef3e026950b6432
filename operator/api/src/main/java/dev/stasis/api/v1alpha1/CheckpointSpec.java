package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.stasis.api.Stasis;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One checkpoint of one pod, or of every pod of a workload. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.storage) && has(self.dir))",
    message = "set at most one of storage and dir")
@ValidationRule(
    value =
        "[has(self.podName), has(self.selector), has(self.workloadRef)]"
            + ".filter(x, x).size() == 1",
    message = "set exactly one of podName, selector and workloadRef")
public class CheckpointSpec {
  @Size(min = 1, max = 253)
  @Pattern(Stasis.NAME_PATTERN)
  @ValidationRule(value = "self == oldSelf", message = "podName is immutable")
  @JsonPropertyDescription("Name of the pod to checkpoint, in the Checkpoint's namespace.")
  private String podName;

  @ValidationRule(value = "self == oldSelf", message = "selector is immutable")
  @JsonPropertyDescription(
      "Checkpoint every Running pod carrying all of these labels, for example app: web, at as"
          + " close to the same moment as the kubelets allow: a workload checkpoint. Each pod"
          + " gets a Checkpoint of its own, owned by this one.")
  private Map<String, String> selector;

  @ValidationRule(value = "self == oldSelf", message = "workloadRef is immutable")
  @JsonPropertyDescription(
      "Checkpoint every Running pod of this Deployment, StatefulSet, ReplicaSet or Job: a"
          + " workload checkpoint, as with selector.")
  private WorkloadRef workloadRef;

  @Min(1)
  @ValidationRule(value = "self == oldSelf", message = "activeDeadlineSeconds is immutable")
  @JsonPropertyDescription(
      "Fail the checkpoint (reason DeadlineExceeded, nothing stored) if it has not Completed"
          + " this many seconds after the Checkpoint was created, for example before a node is"
          + " reclaimed. Empty: no deadline.")
  private Long activeDeadlineSeconds;

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

  public Map<String, String> getSelector() {
    return selector;
  }

  public void setSelector(Map<String, String> selector) {
    this.selector = selector;
  }

  public WorkloadRef getWorkloadRef() {
    return workloadRef;
  }

  public void setWorkloadRef(WorkloadRef workloadRef) {
    this.workloadRef = workloadRef;
  }

  public Long getActiveDeadlineSeconds() {
    return activeDeadlineSeconds;
  }

  public void setActiveDeadlineSeconds(Long activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
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
