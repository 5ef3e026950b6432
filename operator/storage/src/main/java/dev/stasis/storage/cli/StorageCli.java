package dev.stasis.storage.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The storage commands on their own: {@code cp}, {@code ls}, {@code verify}, {@code rm}. The agent
 * mounts the same command classes under its own executable.
 */
@Command(
    name = "stasis-storage",
    mixinStandardHelpOptions = true,
    description =
        "Copy, list, verify and delete Stasis checkpoints and archives in object storage.",
    subcommands = {CpCommand.class, LsCommand.class, VerifyCommand.class, RmCommand.class})
public final class StorageCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /**
   * A CommandLine whose errors are one line on stderr ({@code stasis: <message>}) with exit code 1,
   * and usage errors exit code 2. Embedders (the agent) can use this for their own root command.
   */
  public static CommandLine commandLine(Object root) {
    CommandLine cl = new CommandLine(root);
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          PrintWriter err = cmd.getErr();
          err.println("stasis: " + message(ex));
          err.flush();
          return 1;
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("stasis: " + ex.getMessage() + " (see --help)");
          err.flush();
          return 2;
        });
    return cl;
  }

  static String message(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      m = t.getClass().getSimpleName();
    }
    return m.replace('\n', ' ');
  }

  /** Runs the command line and returns the exit code (no System.exit). */
  public static int run(String... args) {
    return commandLine(new StorageCli()).execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
