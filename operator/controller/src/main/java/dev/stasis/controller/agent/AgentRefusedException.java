package dev.stasis.controller.agent;

/** The agent answered and refused the call (authentication, permission, invalid request). */
public class AgentRefusedException extends AgentException {
  public AgentRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
