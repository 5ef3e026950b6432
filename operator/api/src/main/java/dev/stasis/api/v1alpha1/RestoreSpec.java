package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.stasis.api.Stasis;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** Brings a checkpoint back as a new pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.checkpointName) ? 1 : 0) + (has(self.path) ? 1 : 0)"
            + " + (has(self.latestOf) ? 1 : 0) == 1",
    message = "exactly one of checkpointName, path or latestOf must be set")
@ValidationRule(value = "self == oldSelf", message = "spec is immutable; create a new Restore")
public class RestoreSpec {
  @Pattern(Stasis.NAME_PATTERN)
  @JsonPropertyDescription("Name of a Checkpoint in this namespace to restore.")
  private String checkpointName;

  @Pattern(Stasis.URI_PATTERN)
  @JsonPropertyDescription(
      "URI of a checkpoint directory in storage (the path shown by kubectl get checkpoints),"
          + " for a checkpoint that has no resource here.")
  private String path;

  @JsonPropertyDescription("Restore the newest Completed checkpoint of a pod or workload.")
  private LatestOf latestOf;

  @Pattern(Stasis.NAME_PATTERN)
  @JsonPropertyDescription(
      "Name of the restored pod. Default: the checkpointed pod's name when it is free, else"
          + " that name with a -restored-<suffix>.")
  private String podName;

  @Pattern(Stasis.NAME_PATTERN)
  @JsonPropertyDescription("Node to restore on. Default: any node the scheduler picks.")
  private String nodeName;

  @JsonPropertyDescription("Labels the target node must carry.")
  private Map<String, String> nodeSelector;

  public String getCheckpointName() {
    return checkpointName;
  }

  public void setCheckpointName(String checkpointName) {
    this.checkpointName = checkpointName;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public LatestOf getLatestOf() {
    return latestOf;
  }

  public void setLatestOf(LatestOf latestOf) {
    this.latestOf = latestOf;
  }

  public String getPodName() {
    return podName;
  }

  public void setPodName(String podName) {
    this.podName = podName;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }
}
