package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One pod of a workload restore: its own Restore and how that went. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkloadPodRestore {
  @JsonPropertyDescription("Name of the checkpointed (original) pod.")
  private String pod;

  @JsonPropertyDescription("Name of the pod's Checkpoint restored.")
  private String checkpoint;

  @JsonPropertyDescription("Name of this pod's Restore (owned by the workload restore).")
  private String restore;

  @JsonPropertyDescription("Name of the restored pod, once created.")
  private String restoredPod;

  @JsonPropertyDescription("Node the restored pod runs on.")
  private String nodeName;

  @JsonPropertyDescription("Phase of this pod's Restore.")
  private RestorePhase phase;

  public WorkloadPodRestore() {}

  public WorkloadPodRestore(
      String pod,
      String checkpoint,
      String restore,
      String restoredPod,
      String nodeName,
      RestorePhase phase) {
    this.pod = pod;
    this.checkpoint = checkpoint;
    this.restore = restore;
    this.restoredPod = restoredPod;
    this.nodeName = nodeName;
    this.phase = phase;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public String getCheckpoint() {
    return checkpoint;
  }

  public void setCheckpoint(String checkpoint) {
    this.checkpoint = checkpoint;
  }

  public String getRestore() {
    return restore;
  }

  public void setRestore(String restore) {
    this.restore = restore;
  }

  public String getRestoredPod() {
    return restoredPod;
  }

  public void setRestoredPod(String restoredPod) {
    this.restoredPod = restoredPod;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public RestorePhase getPhase() {
    return phase;
  }

  public void setPhase(RestorePhase phase) {
    this.phase = phase;
  }
}
