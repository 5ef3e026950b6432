package dev.stasis.controller.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * How the per-pod resources of a workload checkpoint or restore stand, counted pod by pod: done,
 * failed (and why), or still going. The workload resource ends when none is going any more.
 */
final class PodOutcomes {
  private final int total;
  private final List<String> failed = new ArrayList<>();
  private int done;

  PodOutcomes(int total) {
    this.total = total;
  }

  void succeeded() {
    done++;
  }

  void failed(String pod, String why) {
    failed.add(pod + " (" + why + ")");
  }

  int done() {
    return done;
  }

  int total() {
    return total;
  }

  /** Pods whose resource has not ended yet. */
  int going() {
    return total - done - failed.size();
  }

  boolean allDone() {
    return done == total;
  }

  /** {@code the <what> of 1 of 3 pods failed: web-2 (why)}. */
  String failures(String what) {
    return "the "
        + what
        + " of "
        + failed.size()
        + " of "
        + total
        + " pods failed: "
        + String.join(", ", failed);
  }
}
