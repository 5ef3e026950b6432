package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The status of something that starts and ends (a Checkpoint, a Restore): when, as RFC 3339
 * timestamps. Each kind overrides the getters only to describe them in its CRD.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class TimedStatus extends ConditionedStatus {
  private String startTime;
  private String completionTime;

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }
}
