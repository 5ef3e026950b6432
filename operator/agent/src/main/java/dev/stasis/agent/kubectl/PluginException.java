package dev.stasis.agent.kubectl;

/** Ends a command with one line on stderr and an {@link ExitCode}. */
final class PluginException extends RuntimeException {
  private final int exitCode;

  PluginException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
