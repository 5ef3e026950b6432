package dev.stasis.controller.agent;

/** The agent could not be reached (down, TLS failure, timeout): worth retrying. */
public class AgentUnreachableException extends AgentException {
  public AgentUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
