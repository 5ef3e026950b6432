package dev.stasis.controller.workload;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * How far apart the pods of a workload checkpoint were taken: the time between the earliest and the
 * latest of their checkpoint moments, and how people read it (250ms, 1.3s).
 */
public final class Spread {
  private Spread() {}

  /** Latest minus earliest; empty when there is no moment at all. */
  public static Optional<Duration> of(Collection<Instant> moments) {
    Optional<Instant> first = moments.stream().min(Instant::compareTo);
    Optional<Instant> last = moments.stream().max(Instant::compareTo);
    return first.map(f -> Duration.between(f, last.get()));
  }

  /** Milliseconds below a second ({@code 250ms}), else seconds with one decimal ({@code 1.3s}). */
  public static String display(Duration spread) {
    long millis = spread.toMillis();
    if (millis < 1000) {
      return millis + "ms";
    }
    return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
  }
}
