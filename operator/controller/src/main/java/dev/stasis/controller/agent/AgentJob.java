package dev.stasis.controller.agent;

import java.time.Instant;
import java.util.List;

/** A job as the agent reports it (mirrors {@code stasis.agent.v1.Job}). */
public record AgentJob(
    String id,
    State state,
    String phase,
    String reason,
    String message,
    long bytesDone,
    long bytesTotal,
    List<ContainerResult> containers,
    String checkpointUri,
    List<PushedImage> images,
    long storedBytes,
    String nodeName,
    Instant startTime,
    Instant completionTime) {

  public AgentJob {
    containers = containers == null ? List.of() : List.copyOf(containers);
    images = images == null ? List.of() : List.copyOf(images);
  }

  /** The reason a job that did not succeed gives, for a Ready condition. */
  public String failureReason() {
    return reason == null || reason.isBlank() ? "JobFailed" : reason;
  }

  /** What a job that did not succeed says about it. */
  public String failureMessage() {
    return message == null || message.isBlank() ? "the agent's job ended " + state : message;
  }

  /** Job states; SUCCEEDED, FAILED and CANCELLED are terminal. */
  public enum State {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean terminal() {
      return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
  }

  /** What one container's archive became. */
  public record ContainerResult(
      String name,
      String image,
      long archiveBytes,
      long storedBytes,
      String sha256,
      String objectUri,
      String compression)
      implements dev.stasis.controller.util.StoredArchive {}

  /** An image a restore pushed. */
  public record PushedImage(String container, String reference, String digest) {}
}
