package dev.stasis.agent.jobs;

import com.google.protobuf.Timestamp;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.JobState;
import java.time.Instant;

/** How the agent reads and spells the fields of a {@code Job} message. */
public final class Jobs {
  private Jobs() {}

  /** Whether a job in this state is over (it changes no more). */
  public static boolean terminal(JobState s) {
    return s == JobState.JOB_STATE_SUCCEEDED
        || s == JobState.JOB_STATE_FAILED
        || s == JobState.JOB_STATE_CANCELLED;
  }

  /** "checkpoint" or "restore", for messages and metric labels. */
  static String kindName(JobKind k) {
    return k == JobKind.JOB_KIND_RESTORE ? "restore" : "checkpoint";
  }

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
