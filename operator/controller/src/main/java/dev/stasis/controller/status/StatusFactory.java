package dev.stasis.controller.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the status conditions every reconciler writes, in the Kubernetes Condition shape (type,
 * status, reason, message, lastTransitionTime, observedGeneration), and the timestamps. The one
 * place that reads the clock, so tests can fix it.
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

  /** The condition of a type, if present. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
