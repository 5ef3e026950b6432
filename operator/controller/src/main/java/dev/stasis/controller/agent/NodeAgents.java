package dev.stasis.controller.agent;

import java.util.Optional;
import java.util.Set;

/**
 * The Stasis agents of the nodes: where they run ({@link AgentLocator}) and how to call them
 * ({@link AgentClient}).
 */
public record NodeAgents(AgentLocator locator, AgentClient client) {
  public Optional<AgentEndpoint> onNode(String nodeName) {
    return locator.onNode(nodeName);
  }

  public Set<String> nodesWithAgents() {
    return locator.nodesWithAgents();
  }

  /**
   * The job a node's agent runs for a resource; empty when the agent no longer knows it (it was
   * reinstalled or lost its state).
   *
   * @param noAgent the message of the {@link AgentUnreachableException} thrown when no agent runs
   *     on the node (the reconciler retries with backoff, then fails)
   */
  public Optional<AgentJob> job(String nodeName, String jobId, String noAgent) {
    AgentEndpoint agent =
        onNode(nodeName).orElseThrow(() -> new AgentUnreachableException(noAgent, null));
    try {
      return Optional.of(client.getJob(agent, jobId));
    } catch (JobNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Cancels the job a node's agent runs for a resource and returns it as the agent left it (the
   * agent waits for the work to stop and discards what it stored); empty when no agent runs on the
   * node or it does not know the job.
   *
   * @throws AgentException when the agent cannot be reached or refuses
   */
  public Optional<AgentJob> cancel(String nodeName, String jobId) {
    Optional<AgentEndpoint> agent = onNode(nodeName);
    if (agent.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(client.cancelJob(agent.get(), jobId));
    } catch (JobNotFoundException e) {
      return Optional.empty();
    }
  }
}
