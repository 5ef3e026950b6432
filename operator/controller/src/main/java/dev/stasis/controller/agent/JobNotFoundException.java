package dev.stasis.controller.agent;

/** The agent does not know the job id (for example it lost its journal). */
public class JobNotFoundException extends AgentException {
  public JobNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
