package dev.stasis.controller.util;

import dev.stasis.api.Stasis;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations users write in {@code ttl}: number+unit pairs, units s, m, h, d. */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile(Stasis.DURATION_PATTERN);
  private static final Pattern PART = Pattern.compile("([0-9]+)([smhd])");

  private Durations() {}

  /**
   * Parses {@code 7d}, {@code 1h30m}, {@code 90s}.
   *
   * @throws IllegalArgumentException naming the value and the accepted form
   */
  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: use number+unit pairs (s, m, h, d), e.g. 7d or 1h30m");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
    }
    return total;
  }
}
