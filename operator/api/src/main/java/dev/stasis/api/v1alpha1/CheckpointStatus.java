package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What happened to a Checkpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointStatus extends TimedStatus {
  @JsonPropertyDescription("Pending, Checkpointing, Uploading, Completed or Failed.")
  private CheckpointPhase phase;

  @JsonPropertyDescription("Node the pod ran on, whose agent took the checkpoint.")
  private String nodeName;

  @JsonPropertyDescription("The CheckpointStorage written to, or the dir URI.")
  private String storage;

  @JsonPropertyDescription(
      "Why that storage was chosen, for example 'spec.dir', 'spec.storage', 'node matches"
          + " cloud EKS (priority 10)' or 'default storage'.")
  private String storageReason;

  @JsonPropertyDescription("URI of the checkpoint's directory in storage.")
  private String path;

  @JsonPropertyDescription("Bytes stored, all containers together.")
  private Long size;

  @JsonPropertyDescription("size in binary units, for kubectl get, for example 412.3Mi.")
  private String displaySize;

  @JsonPropertyDescription("One entry per container archive.")
  private List<ContainerCheckpointStatus> containers = new ArrayList<>();

  @JsonPropertyDescription("Progress of the dump and upload.")
  private Progress progress;

  @JsonPropertyDescription(
      "When the pod's dump began: the start of its agent's job, right before the agent's first"
          + " kubelet checkpoint call (RFC 3339); for an imported checkpoint, its manifest's"
          + " createdAt.")
  private String checkpointTime;

  @JsonPropertyDescription(
      "What a workload checkpoint (spec.selector or spec.workloadRef) takes, for example"
          + " Deployment/web or app=web. Empty for a checkpoint of one pod (see spec.podName).")
  private String target;

  @JsonPropertyDescription(
      "A workload checkpoint's pods, one entry per pod, each with its own Checkpoint.")
  private List<WorkloadPodCheckpoint> pods;

  @JsonPropertyDescription(
      "How far apart a workload checkpoint's pods were taken: the time between the earliest and"
          + " the latest of its pods' checkpointTime, for example 1.3s or 250ms. Each pod's"
          + " containers are dumped together by its agent, one kubelet call per container.")
  private String spread;

  @JsonPropertyDescription("spread in milliseconds.")
  private Long spreadMillis;

  public CheckpointPhase getPhase() {
    return phase;
  }

  public void setPhase(CheckpointPhase phase) {
    this.phase = phase;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public String getStorage() {
    return storage;
  }

  public void setStorage(String storage) {
    this.storage = storage;
  }

  public String getStorageReason() {
    return storageReason;
  }

  public void setStorageReason(String storageReason) {
    this.storageReason = storageReason;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public Long getSize() {
    return size;
  }

  public void setSize(Long size) {
    this.size = size;
  }

  public String getDisplaySize() {
    return displaySize;
  }

  public void setDisplaySize(String displaySize) {
    this.displaySize = displaySize;
  }

  public List<ContainerCheckpointStatus> getContainers() {
    return containers;
  }

  public void setContainers(List<ContainerCheckpointStatus> containers) {
    this.containers = containers;
  }

  public Progress getProgress() {
    return progress;
  }

  public void setProgress(Progress progress) {
    this.progress = progress;
  }

  public String getCheckpointTime() {
    return checkpointTime;
  }

  public void setCheckpointTime(String checkpointTime) {
    this.checkpointTime = checkpointTime;
  }

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public List<WorkloadPodCheckpoint> getPods() {
    return pods;
  }

  public void setPods(List<WorkloadPodCheckpoint> pods) {
    this.pods = pods;
  }

  public String getSpread() {
    return spread;
  }

  public void setSpread(String spread) {
    this.spread = spread;
  }

  public Long getSpreadMillis() {
    return spreadMillis;
  }

  public void setSpreadMillis(Long spreadMillis) {
    this.spreadMillis = spreadMillis;
  }

  @Override
  @JsonPropertyDescription("When the checkpoint started (RFC 3339).")
  public String getStartTime() {
    return super.getStartTime();
  }

  @Override
  @JsonPropertyDescription("When the checkpoint completed or failed (RFC 3339).")
  public String getCompletionTime() {
    return super.getCompletionTime();
  }

  @Override
  @JsonPropertyDescription(
      "Latest observations: Ready, StorageSelected, Dumped, Uploaded; Expired (reason TtlExpired)"
          + " when the ttl passed on a Checkpoint that Argo CD tracks, which stays; TerminationRestore"
          + " on a checkpoint taken before its node went away.")
  public List<Condition> getConditions() {
    return super.getConditions();
  }
}
