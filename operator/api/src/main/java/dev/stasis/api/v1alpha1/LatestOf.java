package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.stasis.api.Stasis;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** Picks the newest Completed checkpoint of a pod, or of any pod of a workload. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.podName) != has(self.selector)",
    message = "set exactly one of podName and selector")
public class LatestOf {
  @Pattern(Stasis.NAME_PATTERN)
  @JsonPropertyDescription("Name of the checkpointed pod.")
  private String podName;

  @JsonPropertyDescription(
      "Labels of the checkpointed pods (a workload), for example app: web. The newest"
          + " Completed checkpoint of any pod carrying all of them is used.")
  private Map<String, String> selector;

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
}
