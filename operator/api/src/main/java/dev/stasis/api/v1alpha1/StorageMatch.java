package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.LinkedHashMap;
import java.util.Map;

/** Which nodes a CheckpointStorage serves. Every condition given must hold. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageMatch {
  @JsonPropertyDescription(
      "The managed platform the node runs on, recognised from spec.providerID and node labels:"
          + " EKS (aws:// with eks.amazonaws.com/* or karpenter.sh/* labels) or GKE (gce://"
          + " with cloud.google.com/gke-* labels).")
  private Cloud cloud;

  @JsonPropertyDescription("Labels the node must carry, with these values.")
  private Map<String, String> nodeSelector = new LinkedHashMap<>();

  public Cloud getCloud() {
    return cloud;
  }

  public void setCloud(Cloud cloud) {
    this.cloud = cloud;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }
}
