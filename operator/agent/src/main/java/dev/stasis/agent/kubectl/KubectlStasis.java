package dev.stasis.agent.kubectl;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kubectl stasis}: the kubectl plugin (the {@code kubectl-stasis} launcher runs this class
 * from the agent's jar). Creates Checkpoints and Restores, follows them with a progress bar, lists
 * and describes them. Exit codes: {@link ExitCode}.
 */
@Command(
    name = "kubectl stasis",
    mixinStandardHelpOptions = true,
    versionProvider = dev.stasis.agent.Main.Version.class,
    description = {
      "Checkpoint and restore pods with Stasis, from kubectl.",
      "Exit codes: 0 done; 1 the checkpoint or restore Failed; 2 usage; 3 not found or API error;"
          + " 4 --wait timed out."
    },
    subcommands = {
      CheckpointCommand.class,
      RestoreCommand.class,
      ListCommand.class,
      DescribeCommand.class
    })
public final class KubectlStasis implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name a command: checkpoint, restore, ls or describe (see --help)");
  }

  /** The command line, with the plugin's error lines and exit codes. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new KubectlStasis());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          int code = exitCode(e);
          PrintWriter err = cmd.getErr();
          err.println("error: " + message(e));
          err.flush();
          return code;
        });
    cl.setParameterExceptionHandler(
        (e, args) -> {
          PrintWriter err = e.getCommandLine().getErr();
          err.println("error: " + e.getMessage() + " (see --help)");
          err.flush();
          return ExitCode.USAGE;
        });
    return cl;
  }

  static int exitCode(Exception e) {
    if (e instanceof PluginException p) {
      return p.exitCode();
    }
    if (e instanceof IllegalArgumentException) {
      return ExitCode.USAGE;
    }
    return ExitCode.NOT_FOUND_OR_API_ERROR;
  }

  /** One line: the API server's own message for its refusals (a CEL rule's, for example). */
  static String message(Exception e) {
    String m = e.getMessage();
    if (e instanceof KubernetesClientException k
        && k.getStatus() != null
        && k.getStatus().getMessage() != null) {
      m = k.getStatus().getMessage();
    }
    if (m == null || m.isBlank()) {
      m = e.getClass().getSimpleName();
    }
    return m.strip().replace('\n', ' ');
  }

  /** Runs the plugin and returns the exit code (no System.exit). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}
