package dev.stasis.controller.util;

import java.util.Locale;

/** Byte counts as people read them: binary units with one decimal, like {@code 412.3Mi}. */
public final class ByteSizes {
  private static final String[] UNITS = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

  private ByteSizes() {}

  /** {@code 0} → {@code 0}, {@code 1023} → {@code 1023}, {@code 432328704} → {@code 412.3Mi}. */
  public static String display(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative size " + bytes);
    }
    if (bytes < 1024) {
      return Long.toString(bytes);
    }
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    // 1023.95Mi would print as 1024.0Mi: move to the next unit instead.
    if (Math.round(value * 10) >= 10240 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f%s", value, UNITS[unit]);
  }
}
