package dev.stasis.agent.kubectl;

/** The plugin's exit codes (docs/kubectl-plugin.md lists them). */
final class ExitCode {
  /** Done: created, or (with --wait) Completed / Running. */
  static final int OK = 0;

  /** The checkpoint or restore ended Failed; its reason is on stderr. */
  static final int FAILED = 1;

  /** The command line was wrong (unknown option, missing argument, bad value). */
  static final int USAGE = 2;

  /** Not found, or the API server (or storage) refused or could not be reached. */
  static final int NOT_FOUND_OR_API_ERROR = 3;

  /** --wait gave up after --timeout; the checkpoint or restore goes on. */
  static final int TIMEOUT = 4;

  private ExitCode() {}
}
