package dev.stasis.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting for the cluster, the way {@code kubectl wait} does: poll, then fail with what was seen.
 */
final class Await {
  private Await() {}

  /** Polls every 50 ms until {@code done} holds; fails with the last value seen. */
  static <T> T until(Supplier<T> supplier, Predicate<T> done, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    RuntimeException error = null;
    while (true) {
      try {
        last = supplier.get();
        error = null;
        if (last != null && done.test(last)) {
          return last;
        }
      } catch (RuntimeException e) {
        error = e;
      }
      if (System.nanoTime() > deadline) {
        AssertionError failure =
            new AssertionError(
                "timed out after "
                    + timeout.toSeconds()
                    + " s waiting for "
                    + what
                    + "; last seen: "
                    + (last instanceof JsonNode j ? j.toPrettyString() : String.valueOf(last)));
        if (error != null) {
          failure.initCause(error);
        }
        throw failure;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  /** The phase of a Stasis resource's status, or "" while it has none. */
  static String phase(JsonNode resource) {
    return resource == null ? "" : resource.path("status").path("phase").asText("");
  }

  /** The reason of a resource's Ready condition, or "". */
  static String readyReason(JsonNode resource) {
    for (JsonNode c : resource.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return c.path("reason").asText("");
      }
    }
    return "";
  }
}
