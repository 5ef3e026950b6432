package dev.stasis.agent;

/**
 * A job cannot go on: carries the machine-readable reason ({@link dev.stasis.agent.api.Reasons})
 * and a message a user can act on. The message never holds credentials.
 */
public class JobFailure extends Exception {
  private final String reason;

  public JobFailure(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public JobFailure(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
