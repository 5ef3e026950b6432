package dev.stasis.controller.util;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Kubernetes names and label values derived from other names. */
public final class Names {
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private Names() {}

  /**
   * A 5-character suffix derived from a seed (a resource UID), so that a retried step picks the
   * same name. Uses the alphabet Kubernetes uses for generateName (no vowels, no 0/1/3).
   */
  public static String suffix(String seed) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder out = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      out.append(ALPHABET.charAt(Math.floorMod(digest[i], ALPHABET.length())));
    }
    return out.toString();
  }

  /** {@code <base>-<tail>}, cutting base so that the result stays within {@code max} chars. */
  public static String withSuffix(String base, String tail, int max) {
    int room = max - tail.length() - 1;
    String head = base.length() > room ? base.substring(0, room) : base;
    while (head.endsWith("-") || head.endsWith(".")) {
      head = head.substring(0, head.length() - 1);
    }
    return head + "-" + tail;
  }

  /** A valid label value (at most 63 chars, alphanumeric at both ends). */
  public static String labelValue(String value) {
    if (value == null) {
      return "";
    }
    String v = value.replaceAll("[^A-Za-z0-9._-]", "-");
    if (v.length() > 63) {
      v = v.substring(0, 63);
    }
    v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    return v;
  }
}
