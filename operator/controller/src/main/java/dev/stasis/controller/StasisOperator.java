package dev.stasis.controller;

import dev.stasis.controller.agent.AgentClient;
import dev.stasis.controller.agent.AgentLocator;
import dev.stasis.controller.agent.NodeAgents;
import dev.stasis.controller.checkpoint.CheckpointReconciler;
import dev.stasis.controller.metrics.StasisMetrics;
import dev.stasis.controller.restore.RestoreReconciler;
import dev.stasis.controller.schedule.CheckpointScheduleReconciler;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.storage.CheckpointCatalog;
import dev.stasis.controller.storage.CheckpointStorageReconciler;
import dev.stasis.controller.storage.StorageResolver;
import dev.stasis.controller.storage.Storages;
import dev.stasis.controller.termination.NodeTerminationReconciler;
import dev.stasis.controller.termination.TerminationRestoreReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * The operator: JOSDK with the reconcilers, JOSDK's Micrometer metrics next to ours, and leader
 * election on a Lease in the operator's namespace when enabled. Main and the tests build it the
 * same way; only the agent client and the catalog differ.
 */
public final class StasisOperator implements AutoCloseable {
  public static final String LEASE_NAME = "stasis-operator";

  private final Operator operator;

  public StasisOperator(
      KubernetesClient client,
      OperatorSettings settings,
      Clock clock,
      AgentClient agents,
      CheckpointCatalog catalog,
      MeterRegistry registry,
      String identity) {
    this(client, settings, clock, agents, catalog, registry, identity, true);
  }

  /**
   * @param exitOnLostLease end the process when leadership is lost (the default: the pod restarts
   *     and campaigns again, rather than running without the Lease)
   */
  public StasisOperator(
      KubernetesClient client,
      OperatorSettings settings,
      Clock clock,
      AgentClient agents,
      CheckpointCatalog catalog,
      MeterRegistry registry,
      String identity,
      boolean exitOnLostLease) {
    StatusFactory statusFactory = new StatusFactory(clock);
    EventRecorder events = new EventRecorder(client, statusFactory, identity);
    StasisMetrics metrics = new StasisMetrics(registry);
    NodeAgents nodeAgents =
        new NodeAgents(
            new AgentLocator(
                client, settings.agentNamespace(), settings.agentLabels(), settings.agentPort()),
            agents);
    Storages storages =
        new Storages(client, new StorageResolver(client, settings.namespace()), catalog);
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client);
              o.withCloseClientOnStop(false);
              // Our CR classes initialise spec with its defaults, and JOSDK's server-side apply
              // of the finalizer sends a new instance: with force it would take over (and reset)
              // spec fields such as deletionPolicy. Patch status and finalizers the classic way
              // (see StatusWriter for the one write that cannot go through JOSDK then).
              o.withUseSSAToPatchPrimaryResource(false);
              o.withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
              if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        settings.leaseName(),
                        settings.namespace(),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        identity,
                        null,
                        exitOnLostLease));
              }
            });
    GenericRetry retry =
        new GenericRetry()
            .setInitialInterval(settings.agentRetryInitial())
            .setIntervalMultiplier(2)
            .setMaxInterval(Duration.ofMinutes(2).toMillis())
            .setMaxAttempts(settings.agentRetryAttempts());
    operator.register(
        new CheckpointReconciler(
            client, settings, statusFactory, events, metrics, nodeAgents, storages),
        c -> namespaced(c.withRetry(retry), settings));
    operator.register(
        new RestoreReconciler(
            client, settings, statusFactory, events, metrics, nodeAgents, storages),
        c -> namespaced(c.withRetry(retry), settings));
    operator.register(
        new CheckpointScheduleReconciler(client, settings, statusFactory, events),
        c -> namespaced(c.withRetry(retry), settings));
    operator.register(
        new CheckpointStorageReconciler(settings, statusFactory, events, metrics, storages),
        c -> c.withRetry(retry));
    // Checkpoints before a node goes away, and their restores elsewhere
    // (docs/spot-and-preemption.md).
    operator.register(
        new NodeTerminationReconciler(client, settings, events), c -> c.withRetry(retry));
    operator.register(
        new TerminationRestoreReconciler(client, statusFactory, events, nodeAgents),
        c -> namespaced(c.withRetry(retry), settings));
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> void namespaced(
      ControllerConfigurationOverrider<R> c, OperatorSettings settings) {
    if (!settings.watchNamespaces().isEmpty()) {
      c.settingNamespaces(settings.watchNamespaces());
    }
  }

  public void start() {
    operator.start();
  }

  public RuntimeInfo runtimeInfo() {
    return operator.getRuntimeInfo();
  }

  /** Null when healthy, else what is not (for /healthz). */
  public String healthProblem() {
    RuntimeInfo info = operator.getRuntimeInfo();
    if (!info.allEventSourcesAreHealthy()) {
      return "unhealthy event sources: " + info.unhealthyEventSources();
    }
    return null;
  }

  @Override
  public void close() {
    operator.stop();
  }
}
