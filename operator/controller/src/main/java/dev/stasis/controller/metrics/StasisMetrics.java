package dev.stasis.controller.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
 *   <li>{@code stasis_storage_available{storage}}: 1 while the storage's last check found it
 *       Available, else 0
 *   <li>{@code stasis_checkpoint_last_completed_timestamp_seconds{namespace,pod}}: when the newest
 *       Completed checkpoint of a pod completed (its age: {@code time() - ...})
 * </ul>
 */
public final class StasisMetrics {
  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> storageAvailable = new ConcurrentHashMap<>();
  private final Map<List<String>, AtomicLong> lastCompleted = new ConcurrentHashMap<>();

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

  /** The outcome of a storage's check. */
  public void storageChecked(String storage, boolean available) {
    storageAvailable
        .computeIfAbsent(
            storage,
            name ->
                registry.gauge(
                    "stasis.storage.available",
                    Tags.of("storage", name),
                    new AtomicInteger(),
                    AtomicInteger::get))
        .set(available ? 1 : 0);
  }

  /** A pod's checkpoint Completed at {@code completedAt}; the gauge keeps the newest. */
  public void checkpointCompleted(String namespace, String pod, Instant completedAt) {
    lastCompleted
        .computeIfAbsent(
            List.of(namespace, pod),
            key ->
                registry.gauge(
                    "stasis.checkpoint.last.completed.timestamp.seconds",
                    Tags.of("namespace", namespace, "pod", pod),
                    new AtomicLong(),
                    AtomicLong::get))
        .accumulateAndGet(completedAt.getEpochSecond(), Math::max);
  }

  public void checkpointImported() {
    Counter.builder("stasis.checkpoints.imported")
        .description("Checkpoints found in storage and imported as Checkpoint resources")
        .register(registry)
        .increment();
  }
}
