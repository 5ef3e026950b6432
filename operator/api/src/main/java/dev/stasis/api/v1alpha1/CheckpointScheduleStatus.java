package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What a CheckpointSchedule has done and will do. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointScheduleStatus extends ConditionedStatus {
  @JsonPropertyDescription(
      "What the schedule checkpoints, for people: pod NAME, the selector's labels, or KIND/NAME.")
  private String target;

  @JsonPropertyDescription("When the newest run was scheduled (its Checkpoints created).")
  private String lastScheduleTime;

  @JsonPropertyDescription("When the newest run whose Checkpoints all Completed was scheduled.")
  private String lastSuccessfulTime;

  @JsonPropertyDescription("The newest Checkpoint of this schedule that Completed.")
  private String lastSuccessfulCheckpoint;

  @JsonPropertyDescription("When the next run is due (absent while suspended).")
  private String nextScheduleTime;

  @JsonPropertyDescription("Checkpoints of this schedule not yet Completed or Failed.")
  private List<String> active = new ArrayList<>();

  @JsonPropertyDescription("Number of active Checkpoints (the ACTIVE column).")
  private Integer activeCount;

  @Override
  @JsonPropertyDescription(
      "Ready: the schedule is valid and runs (False with reason InvalidSchedule,"
          + " UnknownTimeZone, Suspended, NoTargetPods); LastRun: how the newest run went"
          + " (Scheduled, Skipped, Missed, Replaced).")
  public List<Condition> getConditions() {
    return super.getConditions();
  }

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public String getLastScheduleTime() {
    return lastScheduleTime;
  }

  public void setLastScheduleTime(String lastScheduleTime) {
    this.lastScheduleTime = lastScheduleTime;
  }

  public String getLastSuccessfulTime() {
    return lastSuccessfulTime;
  }

  public void setLastSuccessfulTime(String lastSuccessfulTime) {
    this.lastSuccessfulTime = lastSuccessfulTime;
  }

  public String getLastSuccessfulCheckpoint() {
    return lastSuccessfulCheckpoint;
  }

  public void setLastSuccessfulCheckpoint(String lastSuccessfulCheckpoint) {
    this.lastSuccessfulCheckpoint = lastSuccessfulCheckpoint;
  }

  public String getNextScheduleTime() {
    return nextScheduleTime;
  }

  public void setNextScheduleTime(String nextScheduleTime) {
    this.nextScheduleTime = nextScheduleTime;
  }

  public List<String> getActive() {
    return active;
  }

  public void setActive(List<String> active) {
    this.active = active;
  }

  public Integer getActiveCount() {
    return activeCount;
  }

  public void setActiveCount(Integer activeCount) {
    this.activeCount = activeCount;
  }
}
