package dev.stasis.controller.restore;

import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.agent.AgentEndpoint;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.agent.NodeAgents;
import dev.stasis.controller.agent.RestoreJobRequest;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.storage.StoredCheckpoint;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The agent's half of a restore: chooses the node ({@link TargetNodeChooser}), has its agent
 * download the checkpoint and build and push the checkpoint images (StartRestore, idempotent: the
 * job id is the Restore's UID), and asks it how that goes (GetJob).
 */
final class RestoreAgentJob {
  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final NodeAgents agents;
  private final RestoreStatuses statuses;

  RestoreAgentJob(
      KubernetesClient client,
      OperatorSettings settings,
      NodeAgents agents,
      RestoreStatuses statuses) {
    this.client = client;
    this.settings = settings;
    this.agents = agents;
    this.statuses = statuses;
  }

  /** Chooses the node, records it, and starts the job on its agent. */
  AgentJob start(Restore restore, RestoreStatus status, RestoreSource source)
      throws RestoreFailure {
    StoredCheckpoint manifest = source.manifest();
    String node =
        TargetNodeChooser.choose(
            restore.getSpec(),
            client.nodes().list().getItems(),
            agents.nodesWithAgents(),
            manifest.nodeName());
    AgentEndpoint agent =
        agents
            .onNode(node)
            .orElseThrow(
                () ->
                    new RestoreFailure(
                        Reasons.NO_AGENT_ON_NODE, "no running Stasis agent on node " + node));
    statuses.onNode(status, node);
    return agents
        .client()
        .startRestore(
            agent,
            new RestoreJobRequest(
                restore.getMetadata().getUid(),
                manifest.uri(),
                source.location().config(),
                manifest.containers().stream().map(StoredCheckpoint.StoredContainer::name).toList(),
                settings.registry(),
                settings.registryRepository(),
                settings.registryPlainHttp()));
  }

  /** The job as the agent of the Restore's node reports it now. */
  AgentJob follow(Restore restore, RestoreStatus status) throws RestoreFailure {
    String node = status.getNodeName();
    return agents
        .job(node, restore.getMetadata().getUid(), "no running Stasis agent on node " + node)
        .orElseThrow(
            () ->
                new RestoreFailure(
                    Reasons.JOB_LOST,
                    "the agent on node "
                        + node
                        + " no longer knows this restore's job; create a new Restore"));
  }
}
