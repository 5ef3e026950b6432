package dev.stasis.agent.kubectl;

import dev.stasis.agent.AgentConfig;
import dev.stasis.storage.cli.ProgressBar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** {@code --wait}, {@code --timeout} and {@code --progress}, shared by checkpoint and restore. */
final class WaitOptions {
  @Option(
      names = "--wait",
      description =
          "Wait until it is done (exit 0), Failed (exit 1, the reason on stderr) or --timeout"
              + " passes (exit 4), with a progress bar on a terminal.")
  boolean wait;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30m",
      description = "How long --wait waits, for example 90s, 10m, 1h (default ${DEFAULT-VALUE}).")
  String timeout;

  @Option(
      names = "--progress",
      paramLabel = "WHEN",
      defaultValue = "auto",
      description =
          "The progress display while waiting: auto (only on a terminal and without -o; the"
              + " default), always (still never with -o) or never.")
  String progress;

  @Option(
      names = "--poll-interval",
      paramLabel = "DURATION",
      defaultValue = "500ms",
      hidden = true,
      description = "How often --wait reads the object.")
  String pollInterval;

  /** Clock of the waits and the bar; tests replace it. */
  static Clock clock = Clock.systemUTC();

  Duration timeout() {
    return duration("--timeout", timeout);
  }

  private static Duration duration(String option, String value) {
    try {
      return AgentConfig.parseDuration(value);
    } catch (IllegalArgumentException e) {
      throw new PluginException(
          ExitCode.USAGE,
          option + ": expected a duration such as 90s, 10m or 1h, got '" + value + "'");
    }
  }

  /** Waits for the object, drawing on {@code err} unless machine output or no terminal. */
  GenericKubernetesResource await(
      StasisKind kind,
      String name,
      Supplier<GenericKubernetesResource> read,
      boolean machineOutput,
      PrintWriter err) {
    Duration t = timeout();
    ProgressBar bar =
        !machineOutput && ProgressBar.shown(progress)
            ? new ProgressBar(err, ProgressBar.terminalWidth(System.getenv()), clock)
            : null;
    return new Waiter(kind, name, read, bar, clock, duration("--poll-interval", pollInterval))
        .await(t);
  }
}
