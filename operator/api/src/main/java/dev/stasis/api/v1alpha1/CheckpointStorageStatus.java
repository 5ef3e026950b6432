package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator last found out about a CheckpointStorage. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointStorageStatus extends ConditionedStatus {
  @JsonPropertyDescription("Available when the last validation and reachability check passed.")
  private StoragePhase phase;

  @JsonPropertyDescription("Backend type: s3, gcs, filesystem or replicated.")
  private String type;

  @JsonPropertyDescription("The storage as a URI, for example s3://bucket/prefix.")
  private String url;

  @JsonPropertyDescription("When the configuration and reachability were last checked.")
  private String lastValidated;

  public StoragePhase getPhase() {
    return phase;
  }

  public void setPhase(StoragePhase phase) {
    this.phase = phase;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getLastValidated() {
    return lastValidated;
  }

  public void setLastValidated(String lastValidated) {
    this.lastValidated = lastValidated;
  }

  @Override
  @JsonPropertyDescription("Why the storage is Unavailable, or a short summary.")
  public String getMessage() {
    return super.getMessage();
  }

  @Override
  @JsonPropertyDescription("Latest observations: Ready, Validated, Reachable.")
  public List<Condition> getConditions() {
    return super.getConditions();
  }
}
