package dev.stasis.controller.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The operator's own metrics, next to JOSDK's reconciliation metrics. Prometheus names:
 *
 * <ul>
 *   <li>{@code stasis_checkpoints_total{outcome="completed|failed",reason}}
 *   <li>{@code stasis_checkpoint_stored_bytes_total}
 *   <li>{@code stasis_checkpoint_duration_seconds{outcome}} (start to completion)
 *   <li>{@code stasis_restores_total{outcome="running|failed",reason}}
 *   <li>{@code stasis_restore_duration_seconds{outcome}}
 *   <li>{@code stasis_checkpoints_imported_total}
 * </ul>
 */
public final class StasisMetrics {
  private final MeterRegistry registry;

  public StasisMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void checkpointFinished(
      String outcome, String reason, long storedBytes, Duration duration) {
    Counter.builder("stasis.checkpoints")
        .description("Checkpoints that reached a final phase, by outcome")
        .tag("outcome", outcome)
        .tag("reason", reason == null ? "" : reason)
        .register(registry)
        .increment();
    if (storedBytes > 0) {
      Counter.builder("stasis.checkpoint.stored")
          .baseUnit("bytes")
          .description("Bytes stored by completed checkpoints")
          .register(registry)
          .increment(storedBytes);
    }
    if (duration != null && !duration.isNegative()) {
      Timer.builder("stasis.checkpoint.duration")
          .description("Time from a checkpoint's start to its final phase")
          .tag("outcome", outcome)
          .register(registry)
          .record(duration);
    }
  }

  public void restoreFinished(String outcome, String reason, Duration duration) {
    Counter.builder("stasis.restores")
        .description("Restores that reached a final phase, by outcome")
        .tag("outcome", outcome)
        .tag("reason", reason == null ? "" : reason)
        .register(registry)
        .increment();
    if (duration != null && !duration.isNegative()) {
      Timer.builder("stasis.restore.duration")
          .description("Time from a restore's start to its final phase")
          .tag("outcome", outcome)
          .register(registry)
          .record(duration);
    }
  }

  public void checkpointImported() {
    Counter.builder("stasis.checkpoints.imported")
        .description("Checkpoints found in storage and imported as Checkpoint resources")
        .register(registry)
        .increment();
  }
}
