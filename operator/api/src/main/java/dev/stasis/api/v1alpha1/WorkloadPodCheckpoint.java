package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One pod of a workload checkpoint: its own Checkpoint and how that went. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkloadPodCheckpoint {
  @JsonPropertyDescription("Name of the checkpointed pod.")
  private String pod;

  @JsonPropertyDescription("Node the pod ran on.")
  private String nodeName;

  @JsonPropertyDescription("Name of this pod's Checkpoint (owned by the workload checkpoint).")
  private String checkpoint;

  @JsonPropertyDescription("Phase of this pod's Checkpoint.")
  private CheckpointPhase phase;

  @JsonPropertyDescription("URI of this pod's checkpoint in storage, once Completed.")
  private String path;

  @JsonPropertyDescription(
      "When this pod's dump began, as its agent reports it (RFC 3339); see checkpointTime.")
  private String checkpointTime;

  public WorkloadPodCheckpoint() {}

  public WorkloadPodCheckpoint(
      String pod,
      String nodeName,
      String checkpoint,
      CheckpointPhase phase,
      String path,
      String checkpointTime) {
    this.pod = pod;
    this.nodeName = nodeName;
    this.checkpoint = checkpoint;
    this.phase = phase;
    this.path = path;
    this.checkpointTime = checkpointTime;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public String getCheckpoint() {
    return checkpoint;
  }

  public void setCheckpoint(String checkpoint) {
    this.checkpoint = checkpoint;
  }

  public CheckpointPhase getPhase() {
    return phase;
  }

  public void setPhase(CheckpointPhase phase) {
    this.phase = phase;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public String getCheckpointTime() {
    return checkpointTime;
  }

  public void setCheckpointTime(String checkpointTime) {
    this.checkpointTime = checkpointTime;
  }
}
