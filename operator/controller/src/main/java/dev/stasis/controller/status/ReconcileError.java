package dev.stasis.controller.status;

import dev.stasis.controller.agent.AgentException;
import dev.stasis.controller.agent.AgentRefusedException;
import dev.stasis.controller.agent.AgentUnreachableException;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.util.Optional;

/**
 * What an exception out of a reconcile comes to, for {@code updateErrorStatus}: the reason
 * (AgentUnreachable, AgentRefused or ReconcileError), the message, and whether to give up now (the
 * last retry, or an agent that refused) or report it and let JOSDK retry.
 *
 * @param agentError whether an agent call failed (reported on the AgentReachable condition)
 */
public record ReconcileError(
    String reason, String message, boolean agentError, boolean giveUp, int attempts) {
  public static ReconcileError of(Exception e, Optional<RetryInfo> retry) {
    AgentException agentError = agentCause(e);
    String reason =
        agentError instanceof AgentUnreachableException
            ? Reasons.AGENT_UNREACHABLE
            : agentError instanceof AgentRefusedException
                ? Reasons.AGENT_REFUSED
                : "ReconcileError";
    String message = agentError != null ? agentError.getMessage() : String.valueOf(e.getMessage());
    boolean giveUp =
        retry.map(RetryInfo::isLastAttempt).orElse(true)
            || agentError instanceof AgentRefusedException;
    return new ReconcileError(
        reason,
        message,
        agentError != null,
        giveUp,
        retry.map(RetryInfo::getAttemptCount).orElse(1));
  }

  /** The condition a retried error is shown on. */
  public String conditionType() {
    return agentError ? Reasons.AGENT_REACHABLE : Reasons.READY;
  }

  public String retryingMessage() {
    return message + " (attempt " + attempts + ", retrying)";
  }

  /** The message, saying how often an unreachable agent was tried. */
  public String gaveUpMessage() {
    return Reasons.AGENT_UNREACHABLE.equals(reason)
        ? message + " (gave up after " + attempts + " attempts)"
        : message;
  }

  private static AgentException agentCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AgentException a) {
        return a;
      }
    }
    return null;
  }
}
