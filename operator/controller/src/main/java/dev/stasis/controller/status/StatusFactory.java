package dev.stasis.controller.status;

import dev.stasis.api.v1alpha1.ConditionedStatus;
import dev.stasis.api.v1alpha1.TimedStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Builds the status conditions every reconciler writes, in the Kubernetes Condition shape (type,
 * status, reason, message, lastTransitionTime, observedGeneration), and the timestamps; and what
 * the per-kind status factories (CheckpointStatuses, RestoreStatuses, StorageStatuses) share: the
 * copy of a status to write, a failed run, a retried error. The one place that reads the clock, so
 * tests can fix it.
 */
public final class StatusFactory {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private final Clock clock;

  public StatusFactory(Clock clock) {
    this.clock = Objects.requireNonNull(clock);
  }

  public Clock clock() {
    return clock;
  }

  public Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  /** The current time in RFC 3339, seconds precision, UTC ({@code 2026-01-02T03:04:05Z}). */
  public String timestamp() {
    return DateTimeFormatter.ISO_INSTANT.format(now());
  }

  /** Parses what {@link #timestamp()} wrote; empty for null or garbage. */
  public static Optional<Instant> parse(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(timestamp));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Sets a condition in a list, replacing the one of the same type. lastTransitionTime moves only
   * when the status value changes, as Kubernetes' meta.SetStatusCondition does.
   */
  public List<Condition> set(
      List<Condition> conditions,
      String type,
      boolean status,
      String reason,
      String message,
      Long observedGeneration) {
    List<Condition> out = new ArrayList<>(conditions == null ? List.of() : conditions);
    String value = status ? TRUE : FALSE;
    Condition previous =
        out.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String transition =
        previous != null
                && value.equals(previous.getStatus())
                && previous.getLastTransitionTime() != null
            ? previous.getLastTransitionTime()
            : timestamp();
    Condition next =
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason)
            .withMessage(message == null ? "" : message)
            .withLastTransitionTime(transition)
            .withObservedGeneration(observedGeneration)
            .build();
    if (previous != null) {
      out.set(out.indexOf(previous), next);
    } else {
      out.add(next);
    }
    return out;
  }

  /** Sets a condition of a status, for the generation the status describes (see above). */
  public void set(
      ConditionedStatus status, String type, boolean value, String reason, String message) {
    status.setConditions(
        set(status.getConditions(), type, value, reason, message, status.getObservedGeneration()));
  }

  /**
   * A deep copy of a resource's status for a reconcile to change and write (a new one when it has
   * none), describing this generation of the spec.
   */
  public static <S extends ConditionedStatus> S copy(S status, Supplier<S> empty, Long generation) {
    S copy = status == null ? empty.get() : Serialization.clone(status);
    copy.setObservedGeneration(generation);
    return copy;
  }

  /** As {@link #copy}, with the start time set to now when it has none yet. */
  public <S extends TimedStatus> S copyStarted(S status, Supplier<S> empty, Long generation) {
    S copy = copy(status, empty, generation);
    if (copy.getStartTime() == null) {
      copy.setStartTime(timestamp());
    }
    return copy;
  }

  /** Ends a run that failed: why, when, and the Ready condition false with the reason. */
  public void failed(TimedStatus status, String reason, String message) {
    status.setMessage(message);
    status.setCompletionTime(timestamp());
    set(status, Reasons.READY, false, reason, message);
  }

  /** An error JOSDK retries: shown on its condition, the phase unchanged. */
  public void retrying(ConditionedStatus status, ReconcileError error) {
    status.setMessage(error.retryingMessage());
    set(status, error.conditionType(), false, error.reason(), status.getMessage());
  }

  /** The time between two timestamps {@link #timestamp()} wrote; null when one is missing. */
  public static Duration elapsed(String start, String end) {
    Optional<Instant> from = parse(start);
    Optional<Instant> to = parse(end);
    return from.isPresent() && to.isPresent() ? Duration.between(from.get(), to.get()) : null;
  }
}
