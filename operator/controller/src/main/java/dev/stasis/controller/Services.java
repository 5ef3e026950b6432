package dev.stasis.controller;

import dev.stasis.controller.agent.AgentClient;
import dev.stasis.controller.agent.AgentLocator;
import dev.stasis.controller.metrics.StasisMetrics;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.storage.CheckpointCatalog;
import dev.stasis.controller.storage.StorageResolver;
import io.fabric8.kubernetes.client.KubernetesClient;

/** What the reconcilers share: the cluster, the agents, the storage, status, events, metrics. */
public record Services(
    KubernetesClient client,
    OperatorSettings settings,
    StatusFactory status,
    EventRecorder events,
    StasisMetrics metrics,
    AgentClient agents,
    AgentLocator locator,
    StorageResolver resolver,
    CheckpointCatalog catalog) {}
