package dev.stasis.controller.termination;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * How long a checkpoint taken for each {@link TerminationSignal} may take, in seconds: its
 * Checkpoint's {@code activeDeadlineSeconds}. From {@code STASIS_TERMINATION_DEADLINE_<SHORT NAME>}
 * (GKE, SPOT, ASG, REBALANCE, MAINTENANCE, DRAIN), else the signal's default.
 */
public record TerminationDeadlines(Map<TerminationSignal, Long> seconds) {
  public static final String ENV_PREFIX = "STASIS_TERMINATION_DEADLINE_";

  public TerminationDeadlines {
    seconds = Map.copyOf(seconds);
  }

  public static TerminationDeadlines defaults() {
    return fromEnv(Map.of());
  }

  /**
   * @throws IllegalArgumentException for a value that is not a positive number of seconds
   */
  public static TerminationDeadlines fromEnv(Map<String, String> env) {
    Map<TerminationSignal, Long> out = new EnumMap<>(TerminationSignal.class);
    for (TerminationSignal s : TerminationSignal.values()) {
      String name = ENV_PREFIX + s.shortName().toUpperCase(Locale.ROOT);
      String value = env.get(name);
      long seconds = s.defaultDeadlineSeconds();
      if (value != null && !value.isBlank()) {
        try {
          seconds = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
          seconds = 0;
        }
        if (seconds < 1) {
          throw new IllegalArgumentException(
              name + " must be a positive number of seconds, not '" + value + "'");
        }
      }
      out.put(s, seconds);
    }
    return new TerminationDeadlines(out);
  }

  public long of(TerminationSignal signal) {
    return seconds.get(signal);
  }
}
