package dev.stasis.controller.agent;

/**
 * The operator's view of a node agent ({@code stasis.agent.v1.Agent}). Jobs are identified by the
 * UID of the resource that asked for them: starting a job twice returns the first one.
 *
 * <p>Transport failures (agent down, TLS, timeouts) are {@link AgentUnreachableException}; refusals
 * (authentication, invalid request) are {@link AgentRefusedException}; an id the agent does not
 * know is {@link JobNotFoundException}. Work that fails is not an exception: the job ends FAILED
 * with a reason.
 */
public interface AgentClient extends AutoCloseable {
  AgentJob startCheckpoint(AgentEndpoint agent, CheckpointJobRequest request);

  AgentJob startRestore(AgentEndpoint agent, RestoreJobRequest request);

  AgentJob getJob(AgentEndpoint agent, String jobId);

  AgentJob cancelJob(AgentEndpoint agent, String jobId);

  @Override
  default void close() {}
}
