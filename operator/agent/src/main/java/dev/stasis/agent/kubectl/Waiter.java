package dev.stasis.agent.kubectl;

import dev.stasis.storage.cli.ProgressBar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * {@code --wait}: reads the object every {@code interval} until its phase is final, drawing its
 * phase, elapsed time and (for a Checkpoint, from {@code status.progress}) a progress bar when a
 * bar is given. Ends with the final object (succeeded or Failed), or a {@link PluginException}:
 * {@link ExitCode#TIMEOUT}, or {@link ExitCode#NOT_FOUND_OR_API_ERROR} if the object is deleted
 * meanwhile.
 */
final class Waiter {
  private final StasisKind kind;
  private final String name;
  private final Supplier<GenericKubernetesResource> read;
  private final ProgressBar bar;
  private final Clock clock;
  private final Duration interval;

  /**
   * @param bar the display, or null (not a terminal, or {@code -o}): then nothing is drawn
   */
  Waiter(
      StasisKind kind,
      String name,
      Supplier<GenericKubernetesResource> read,
      ProgressBar bar,
      Clock clock,
      Duration interval) {
    this.kind = kind;
    this.name = name;
    this.read = read;
    this.bar = bar;
    this.clock = clock;
    this.interval = interval;
  }

  GenericKubernetesResource await(Duration timeout) {
    long start = clock.millis();
    try {
      while (true) {
        GenericKubernetesResource r;
        try {
          r = read.get();
        } catch (KubernetesClientException e) {
          if (!isTransient(e) || clock.millis() - start >= timeout.toMillis()) {
            throw e;
          }
          Thread.sleep(interval.toMillis());
          continue;
        }
        if (r == null) {
          throw new PluginException(
              ExitCode.NOT_FOUND_OR_API_ERROR, kind.ref(name) + " was deleted while waiting");
        }
        long elapsed = clock.millis() - start;
        draw(r, elapsed);
        if (kind.isFinal(r)) {
          if (bar != null) {
            bar.finish();
          }
          return r;
        }
        if (elapsed >= timeout.toMillis()) {
          if (bar != null) {
            bar.finish();
          }
          String phase = StasisKind.phase(r);
          throw new PluginException(
              ExitCode.TIMEOUT,
              "timed out after "
                  + timeout.toSeconds()
                  + "s waiting for "
                  + kind.ref(name)
                  + " (phase "
                  + (phase.isEmpty() ? "none yet" : phase)
                  + "); it goes on: kubectl stasis describe "
                  + kind.word
                  + " "
                  + name);
        }
        Thread.sleep(interval.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PluginException(ExitCode.TIMEOUT, "interrupted waiting for " + kind.ref(name));
    }
  }

  /**
   * The API server unreachable (no HTTP status) or failing (5xx, 429): worth reading again until
   * the timeout, since the checkpoint or restore goes on meanwhile.
   */
  static boolean isTransient(KubernetesClientException e) {
    int code = e.getCode();
    return code <= 0 || code == 429 || code >= 500;
  }

  private void draw(GenericKubernetesResource r, long elapsedMillis) {
    if (bar == null) {
      return;
    }
    String phase = StasisKind.phase(r);
    // The name only: the line above (created) says which kind, and an 80-column terminal keeps
    // the name, the phase and all the figures.
    String label =
        name
            + " "
            + (phase.isEmpty() ? "Pending" : phase)
            + " "
            + ProgressBar.duration(elapsedMillis / 1000);
    long[] p = StasisKind.progress(r);
    if (p != null) {
      bar.update(label, p[0], p[1]);
    } else {
      bar.label(label);
    }
  }
}
