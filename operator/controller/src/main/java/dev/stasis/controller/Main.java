package dev.stasis.controller;

import dev.stasis.controller.agent.AgentClient;
import dev.stasis.controller.agent.GrpcAgentClient;
import dev.stasis.controller.http.HealthServer;
import dev.stasis.controller.storage.CheckpointCatalog;
import dev.stasis.controller.storage.StorageModuleCatalog;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's entry point: reads the environment (docs/configuration.md), connects to the
 * cluster, starts the reconcilers (leader-elected on a Lease in STASIS_NAMESPACE when
 * STASIS_LEADER_ELECTION=true) and serves /healthz, /readyz and /metrics.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  /** A running operator with its HTTP server. */
  public static final class Running implements AutoCloseable {
    public final StasisOperator operator;
    public final HealthServer http;
    public final PrometheusMeterRegistry registry;
    private final AutoCloseable[] resources;

    Running(
        StasisOperator operator,
        HealthServer http,
        PrometheusMeterRegistry registry,
        AutoCloseable... resources) {
      this.operator = operator;
      this.http = http;
      this.registry = registry;
      this.resources = resources;
    }

    @Override
    public void close() {
      http.close();
      operator.close();
      for (AutoCloseable r : resources) {
        try {
          r.close();
        } catch (Exception e) {
          LOG.warn("closing {}: {}", r, e.getMessage());
        }
      }
    }
  }

  /** Wires and starts everything; Main and the tests share this. */
  public static Running start(
      OperatorSettings settings,
      KubernetesClient client,
      AgentClient agents,
      CheckpointCatalog catalog,
      String identity,
      boolean exitOnLostLease)
      throws IOException {
    return start(settings, client, agents, catalog, identity, exitOnLostLease, Clock.systemUTC());
  }

  /** As above, reading the time from {@code clock} (tests move it to a schedule's next run). */
  public static Running start(
      OperatorSettings settings,
      KubernetesClient client,
      AgentClient agents,
      CheckpointCatalog catalog,
      String identity,
      boolean exitOnLostLease,
      Clock clock)
      throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    StasisOperator operator =
        new StasisOperator(
            client, settings, clock, agents, catalog, registry, identity, exitOnLostLease);
    AtomicBoolean started = new AtomicBoolean();
    HealthServer http =
        new HealthServer(settings.httpPort(), operator::healthProblem, started::get, registry);
    operator.start();
    started.set(true);
    LOG.info(
        "Stasis operator {} started (leader election {}, watching {})",
        identity,
        settings.leaderElection()
            ? "on, Lease " + settings.namespace() + "/" + settings.leaseName()
            : "off",
        settings.watchNamespaces().isEmpty() ? "all namespaces" : settings.watchNamespaces());
    return new Running(operator, http, registry, agents);
  }

  public static void main(String[] args) throws Exception {
    OperatorSettings settings;
    try {
      settings = OperatorSettings.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      // A setting is wrong: one line that names it (the message does), not a stack trace.
      LOG.error("the operator cannot start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    String identity =
        System.getenv().getOrDefault("HOSTNAME", "stasis-operator-" + UUID.randomUUID());
    KubernetesClient client = new KubernetesClientBuilder().build();
    AgentClient agents =
        GrpcAgentClient.fromFiles(
            settings.agentCa(), settings.tokenPath(), settings.agentServerName());
    Running running;
    try {
      running = start(settings, client, agents, new StorageModuleCatalog(), identity, true);
    } catch (IOException | RuntimeException e) {
      // The operator's and the client's threads would keep a half-started JVM alive; exit, so that
      // the pod restarts (with back-off) and its status shows the failure.
      LOG.error("the operator could not start, exiting: {}", e.toString(), e);
      client.close();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("stopping");
                  running.close();
                  client.close();
                  stopped.countDown();
                },
                "stasis-shutdown"));
    stopped.await();
  }
}
