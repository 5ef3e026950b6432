package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What happened to a Restore. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoreStatus extends TimedStatus {
  @JsonPropertyDescription("Pending, Downloading, Restoring, Running or Failed.")
  private RestorePhase phase;

  @JsonPropertyDescription("Name of the Checkpoint restored, when it has a resource here.")
  private String checkpoint;

  @JsonPropertyDescription("URI of the checkpoint restored.")
  private String path;

  @JsonPropertyDescription("Name of the restored pod.")
  private String restoredPod;

  @JsonPropertyDescription("Node the restored pod runs on.")
  private String nodeName;

  @JsonPropertyDescription("Checkpoint images pushed, one per container.")
  private List<RestoredImage> images = new ArrayList<>();

  @JsonPropertyDescription(
      "A workload restore's pods (its source is a workload checkpoint): one entry per"
          + " checkpointed pod, each with its own Restore.")
  private List<WorkloadPodRestore> pods;

  public RestorePhase getPhase() {
    return phase;
  }

  public void setPhase(RestorePhase phase) {
    this.phase = phase;
  }

  public String getCheckpoint() {
    return checkpoint;
  }

  public void setCheckpoint(String checkpoint) {
    this.checkpoint = checkpoint;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
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

  public List<RestoredImage> getImages() {
    return images;
  }

  public void setImages(List<RestoredImage> images) {
    this.images = images;
  }

  public List<WorkloadPodRestore> getPods() {
    return pods;
  }

  public void setPods(List<WorkloadPodRestore> pods) {
    this.pods = pods;
  }

  @Override
  @JsonPropertyDescription("When the restore started (RFC 3339).")
  public String getStartTime() {
    return super.getStartTime();
  }

  @Override
  @JsonPropertyDescription("When the restored pod ran, or the restore failed (RFC 3339).")
  public String getCompletionTime() {
    return super.getCompletionTime();
  }

  @Override
  @JsonPropertyDescription("Latest observations: Ready, SourceResolved, ImagesPushed, PodRunning.")
  public List<Condition> getConditions() {
    return super.getConditions();
  }
}
