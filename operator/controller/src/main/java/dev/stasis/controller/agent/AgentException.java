package dev.stasis.controller.agent;

/** A call to an agent that did not get an answer about the job. */
public class AgentException extends RuntimeException {
  public AgentException(String message, Throwable cause) {
    super(message, cause);
  }
}
