package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.stasis.api.Stasis;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A workload in the resource's namespace, whose pods are the target. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkloadRef {
  @Required
  @JsonPropertyDescription("Kind of the workload: Deployment, StatefulSet, ReplicaSet or Job.")
  private WorkloadKind kind;

  @Required
  @Pattern(Stasis.NAME_PATTERN)
  @JsonPropertyDescription("Name of the workload.")
  private String name;

  public WorkloadKind getKind() {
    return kind;
  }

  public void setKind(WorkloadKind kind) {
    this.kind = kind;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
