package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.stasis.api.Stasis;
import dev.stasis.api.TimeZones;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** When, of what and how many checkpoints a CheckpointSchedule takes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "[has(self.podName), has(self.selector), has(self.workloadRef)]"
            + ".filter(x, x).size() == 1",
    message = "set exactly one of podName, selector and workloadRef")
@ValidationRule(
    value = "!self.restoreOnTermination || self.onNodeTermination",
    message = "restoreOnTermination needs onNodeTermination")
public class CheckpointScheduleSpec {
  // One field of a five-field cron line: items (*, a value, a range) with an optional step.
  private static final String MINUTE = "([0-5]?[0-9])";
  private static final String HOUR = "([01]?[0-9]|2[0-3])";
  private static final String DAY = "(0?[1-9]|[12][0-9]|3[01])";
  private static final String MONTH =
      "(0?[1-9]|1[0-2]|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))";
  private static final String WEEKDAY = "([0-7]|(?i:sun|mon|tue|wed|thu|fri|sat))";
  private static final String STEP = "(/([1-9][0-9]?))?";

  /** Five cron fields, each a comma list of *, a value or a range, with a step; or a macro. */
  static final String CRON_PATTERN =
      "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)"
          + "|([*]|"
          + MINUTE
          + "(-"
          + MINUTE
          + ")?)"
          + STEP
          + "(,([*]|"
          + MINUTE
          + "(-"
          + MINUTE
          + ")?)"
          + STEP
          + ")*"
          + " +([*]|"
          + HOUR
          + "(-"
          + HOUR
          + ")?)"
          + STEP
          + "(,([*]|"
          + HOUR
          + "(-"
          + HOUR
          + ")?)"
          + STEP
          + ")*"
          + " +([*]|[?]|"
          + DAY
          + "(-"
          + DAY
          + ")?)"
          + STEP
          + "(,([*]|"
          + DAY
          + "(-"
          + DAY
          + ")?)"
          + STEP
          + ")*"
          + " +([*]|"
          + MONTH
          + "(-"
          + MONTH
          + ")?)"
          + STEP
          + "(,([*]|"
          + MONTH
          + "(-"
          + MONTH
          + ")?)"
          + STEP
          + ")*"
          + " +([*]|[?]|"
          + WEEKDAY
          + "(-"
          + WEEKDAY
          + ")?)"
          + STEP
          + "(,([*]|"
          + WEEKDAY
          + "(-"
          + WEEKDAY
          + ")?)"
          + STEP
          + ")*)$";

  @Required
  @ValidationRule(
      value = "self.matches('" + CRON_PATTERN + "')",
      message =
          "schedule must be a cron line of five fields (minute 0-59, hour 0-23, day of month"
              + " 1-31, month 1-12 or JAN-DEC, day of week 0-7 or SUN-SAT; each *, a value, a"
              + " range a-b, a comma list, with an optional /step) or @hourly, @daily, @weekly,"
              + " @monthly, @yearly; set the zone in timeZone, not with TZ=")
  @JsonPropertyDescription(
      "When to checkpoint, in cron format as a CronJob's schedule, for example \"0 */6 * * *\""
          + " or @daily, in timeZone.")
  private String schedule;

  @ValidationRule(
      value = TimeZones.CEL_KNOWN_ZONE,
      message =
          "timeZone must be a time zone name of the tz database, such as Europe/Berlin or UTC")
  @JsonPropertyDescription(
      "Time zone the schedule is read in, a tz database name such as Europe/Berlin. Default:"
          + " UTC (not the operator's local time).")
  private String timeZone;

  @Pattern(Stasis.NAME_PATTERN)
  @JsonPropertyDescription("Checkpoint this pod, in the schedule's namespace.")
  private String podName;

  @JsonPropertyDescription(
      "Checkpoint every Running pod carrying all of these labels, for example app: web: each"
          + " run creates one workload Checkpoint of them (a Checkpoint per pod, owned by it).")
  private Map<String, String> selector;

  @JsonPropertyDescription(
      "Checkpoint every Running pod of this Deployment, StatefulSet, ReplicaSet or Job: each run"
          + " creates one workload Checkpoint of them.")
  private WorkloadRef workloadRef;

  @JsonPropertyDescription("The spec of the Checkpoints this schedule creates.")
  private CheckpointTemplate template = new CheckpointTemplate();

  @Min(0)
  @Max(1000)
  @Default("3")
  @JsonPropertyDescription(
      "How many runs (their Checkpoints) to keep, newest first; older ones are deleted. Failed"
          + " runs count too; a run still active is never deleted. 0 keeps no ended run beyond"
          + " keepWithin.")
  private Integer keepLast = 3;

  @Pattern(Stasis.DURATION_PATTERN)
  @JsonPropertyDescription(
      "Also keep every run younger than this, for example 7d, even beyond keepLast. Empty: only"
          + " keepLast counts.")
  private String keepWithin;

  @Default("Forbid")
  @JsonPropertyDescription(
      "When a run is due while Checkpoints of an earlier run are still active: Forbid skips it,"
          + " Replace deletes them and runs, Allow runs anyway.")
  private ConcurrencyPolicy concurrencyPolicy = ConcurrencyPolicy.Forbid;

  @Default("false")
  @JsonPropertyDescription("true stops new runs; active ones go on.")
  private Boolean suspend = false;

  @Min(0)
  @JsonPropertyDescription(
      "How late a run may still start, in seconds, for example after the operator was down. A"
          + " run missed by more is skipped (LastRun reason Missed). Empty: no limit, but only"
          + " the newest missed run is started.")
  private Long startingDeadlineSeconds;

  @Default("false")
  @JsonPropertyDescription(
      "Also checkpoint the target pods when their node is about to go away: cordoned for a"
          + " drain, or tainted with a spot or preemption notice.")
  private Boolean onNodeTermination = false;

  @Default("false")
  @JsonPropertyDescription(
      "With onNodeTermination: restore each such checkpoint on another node as soon as it"
          + " Completed.")
  private Boolean restoreOnTermination = false;

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public String getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(String timeZone) {
    this.timeZone = timeZone;
  }

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

  public WorkloadRef getWorkloadRef() {
    return workloadRef;
  }

  public void setWorkloadRef(WorkloadRef workloadRef) {
    this.workloadRef = workloadRef;
  }

  public CheckpointTemplate getTemplate() {
    return template;
  }

  public void setTemplate(CheckpointTemplate template) {
    this.template = template;
  }

  public Integer getKeepLast() {
    return keepLast;
  }

  public void setKeepLast(Integer keepLast) {
    this.keepLast = keepLast;
  }

  public String getKeepWithin() {
    return keepWithin;
  }

  public void setKeepWithin(String keepWithin) {
    this.keepWithin = keepWithin;
  }

  public ConcurrencyPolicy getConcurrencyPolicy() {
    return concurrencyPolicy;
  }

  public void setConcurrencyPolicy(ConcurrencyPolicy concurrencyPolicy) {
    this.concurrencyPolicy = concurrencyPolicy;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public Long getStartingDeadlineSeconds() {
    return startingDeadlineSeconds;
  }

  public void setStartingDeadlineSeconds(Long startingDeadlineSeconds) {
    this.startingDeadlineSeconds = startingDeadlineSeconds;
  }

  public Boolean getOnNodeTermination() {
    return onNodeTermination;
  }

  public void setOnNodeTermination(Boolean onNodeTermination) {
    this.onNodeTermination = onNodeTermination;
  }

  public Boolean getRestoreOnTermination() {
    return restoreOnTermination;
  }

  public void setRestoreOnTermination(Boolean restoreOnTermination) {
    this.restoreOnTermination = restoreOnTermination;
  }
}
