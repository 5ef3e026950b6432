package dev.stasis.agent;

import dev.stasis.storage.cli.CpCommand;
import dev.stasis.storage.cli.LsCommand;
import dev.stasis.storage.cli.RmCommand;
import dev.stasis.storage.cli.VerifyCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar stasis-agent.jar <command>}: the agent and the Stasis command line. */
@Command(
    name = "stasis",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Stasis: checkpoint Kubernetes pods into object storage and restore them.",
    subcommands = {
      ServeCommand.class,
      DumpCommand.class,
      ImageCommand.class,
      // The storage module's commands, the same classes as its own stasis-storage tool.
      CpCommand.class,
      LsCommand.class,
      VerifyCommand.class,
      RmCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command (see --help)");
  }

  /** Builds the command line with every subcommand, the storage module's included. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          String msg = e.getMessage() == null ? e.toString() : e.getMessage();
          err.println("error: " + msg.strip().replace('\n', ' '));
          err.flush();
          return e instanceof IllegalArgumentException ? 2 : 1;
        });
    cl.setParameterExceptionHandler(
        (e, args) -> {
          PrintWriter err = e.getCommandLine().getErr();
          err.println("error: " + e.getMessage() + " (see --help)");
          err.flush();
          return 2;
        });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The version from the jar's manifest. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"stasis " + (v == null ? "development build" : v)};
    }
  }
}
