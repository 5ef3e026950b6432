package dev.stasis.agent;

import dev.stasis.agent.auth.AuthInterceptor;
import dev.stasis.agent.auth.TokenReviewer;
import dev.stasis.agent.image.CheckpointImagePusher;
import dev.stasis.agent.jobs.CheckpointWork;
import dev.stasis.agent.jobs.JobManager;
import dev.stasis.agent.jobs.Journal;
import dev.stasis.agent.jobs.LeftoverCleaner;
import dev.stasis.agent.jobs.RestoreWork;
import dev.stasis.agent.kubelet.KubeletClient;
import dev.stasis.agent.server.AgentService;
import dev.stasis.agent.server.MetricsServer;
import dev.stasis.agent.store.CheckpointStore;
import dev.stasis.agent.store.Throttle;
import io.grpc.Grpc;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: the gRPC server (TLS, token review), the job manager with its journal, and the
 * metrics endpoint, wired from an {@link AgentConfig}. {@code serve} runs one; tests start several.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  /** How often a handshake may look whether the certificate or key file changed. */
  static final Duration TLS_CHECK_INTERVAL = Duration.ofSeconds(1);

  private final AgentConfig config;
  private final JobManager jobs;
  private final Server server;
  private final MetricsServer metrics;
  private final PrometheusMeterRegistry meters;
  private final ExecutorService watchExecutor;
  private volatile boolean ready;

  private Agent(
      AgentConfig config,
      JobManager jobs,
      Server server,
      MetricsServer metrics,
      PrometheusMeterRegistry meters,
      ExecutorService watchExecutor) {
    this.config = config;
    this.jobs = jobs;
    this.server = server;
    this.metrics = metrics;
    this.meters = meters;
    this.watchExecutor = watchExecutor;
  }

  /**
   * Starts an agent.
   *
   * @param reviewer checks callers' tokens (a TokenReview against the API server in production)
   * @param kubelet the kubelet client
   * @param store the storage engine
   * @param withMetrics whether to serve /healthz, /readyz, /metrics on config.metricsPort()
   */
  public static Agent start(
      AgentConfig config,
      TokenReviewer reviewer,
      KubeletClient kubelet,
      CheckpointStore store,
      boolean withMetrics)
      throws IOException {
    // The serving certificate and key first (the key must match the certificate): an agent that
    // cannot serve TLS starts nothing.
    ReloadingKeyManager tlsKeys =
        ReloadingKeyManager.load(config.tlsCert(), config.tlsKey(), TLS_CHECK_INTERVAL);
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Clock clock = Clock.systemUTC();
    Journal journal = new Journal(config.journalDir());
    JobManager jobs =
        new JobManager(
            config.nodeName(),
            config.maxConcurrentJobs(),
            journal,
            new LeftoverCleaner(store, config.keepKubeletArchives()),
            meters,
            clock,
            config.jobRetention());
    jobs.recover();
    Throttle throttle = new Throttle(config.bandwidthBytesPerSecond());
    if (config.registrySecret() != null && !Files.isReadable(config.registrySecret())) {
      // Read for each push (the mounted Secret is refreshed in place); say now if it is missing.
      LOG.warn(
          "STASIS_REGISTRY_SECRET {} is not readable (yet): restores that bring no credentials"
              + " will fail until it is",
          config.registrySecret());
    }
    CheckpointImagePusher pusher = new CheckpointImagePusher();
    ExecutorService watchExecutor =
        Executors.newCachedThreadPool(DaemonThreads.named("stasis-watch"));
    AgentService service =
        new AgentService(
            jobs,
            config.nodeName(),
            r ->
                new CheckpointWork(
                    r,
                    kubelet,
                    store,
                    config.nodeName(),
                    config.keepKubeletArchives(),
                    throttle,
                    clock),
            r ->
                new RestoreWork(
                    r,
                    store,
                    pusher,
                    config.workDir(),
                    config.registry(),
                    config.registryRepository(),
                    config.registrySecret(),
                    config.registryPlainHttp()),
            config.registryRepository(),
            watchExecutor,
            Duration.ofSeconds(30));
    AuthInterceptor auth =
        new AuthInterceptor(
            reviewer,
            config.tokenAudience(),
            config.allowedCallers(),
            config.tokenReviewCacheTtl(),
            clock,
            meters);
    if (config.allowedCallers().isEmpty()) {
      LOG.warn("STASIS_ALLOWED_CALLERS is empty: every call will be refused");
    }
    if (config.tokenAudience().isEmpty()) {
      LOG.warn(
          "STASIS_AGENT_TOKEN_AUDIENCE is empty: callers' tokens are reviewed for the API server's"
              + " own audience, so the token a caller sends here also works against the API server"
              + " (see docs/security.md)");
    }
    Server server =
        Grpc.newServerBuilderForPort(
                config.port(), TlsServerCredentials.newBuilder().keyManager(tlsKeys).build())
            .addService(ServerInterceptors.intercept(service, auth))
            .build()
            .start();
    MetricsServer metrics = null;
    Agent agent = new Agent(config, jobs, server, null, meters, watchExecutor);
    if (withMetrics) {
      metrics = new MetricsServer(config.metricsPort(), meters, () -> agent.ready);
    }
    Agent started = new Agent(config, jobs, server, metrics, meters, watchExecutor);
    agent.ready = true;
    started.ready = true;
    LOG.info(
        "agent on node {} serving gRPC/TLS on :{}; kubelet {}; {} concurrent jobs",
        config.nodeName(),
        server.getPort(),
        kubelet.endpoint(),
        config.maxConcurrentJobs());
    return started;
  }

  public int port() {
    return server.getPort();
  }

  public int metricsPort() {
    return metrics == null ? -1 : metrics.port();
  }

  public JobManager jobs() {
    return jobs;
  }

  public PrometheusMeterRegistry meters() {
    return meters;
  }

  public AgentConfig config() {
    return config;
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops serving; running jobs are interrupted (their journal entries stay RUNNING). */
  @Override
  public void close() {
    ready = false;
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    if (metrics != null) {
      metrics.close();
    }
    watchExecutor.shutdownNow();
    jobs.close();
  }

  /** Like a crash: stops without letting jobs finish or update the journal (tests). */
  public void kill() {
    jobs.abandon();
    server.shutdownNow();
    if (metrics != null) {
      metrics.close();
    }
    watchExecutor.shutdownNow();
  }
}
