package dev.stasis.agent.kubectl;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Names as the API server's {@code metadata.generateName} makes them: the base, cut to 58
 * characters, and five random characters from the same alphabet (no vowels, no look-alikes).
 */
final class GeneratedNames {
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final int MAX_BASE = 63 - 5;

  private final RandomGenerator random;

  GeneratedNames(RandomGenerator random) {
    this.random = random;
  }

  GeneratedNames() {
    this(new SecureRandom());
  }

  /** For example {@code web-0-} gives {@code web-0-x7k2p}. */
  String generate(String base) {
    String b = base.length() > MAX_BASE ? base.substring(0, MAX_BASE) : base;
    StringBuilder s = new StringBuilder(b);
    for (int i = 0; i < 5; i++) {
      s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }
}
