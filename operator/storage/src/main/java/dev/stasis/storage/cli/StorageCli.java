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

  /** Set up by {@link #main}: Conscrypt loads while picocli parses the command line. */
  private static volatile Thread cryptoSetup;

  public static void main(String[] args) {
    Thread t =
        new Thread(
            () -> {
              if (!preferNativeCrypto() && c1Only()) {
                System.err.println(
                    "stasis: warning: Conscrypt did not load and this JVM runs C1 only"
                        + " (-XX:TieredStopAtLevel=1): SHA-256 and TLS will be slow;"
                        + " drop that option on this platform");
              }
            },
            "stasis-crypto-setup");
    t.setDaemon(true);
    t.start();
    cryptoSetup = t;
    System.exit(run(args));
  }

  private static boolean c1Only() {
    try {
      return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .anyMatch(a -> a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4"));
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** Waits for {@link #main}'s provider setup, if any, before a store (and TLS) is opened. */
  static void awaitCryptoSetup() {
    Thread t = cryptoSetup;
    if (t == null) {
      return;
    }
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Makes Conscrypt (BoringSSL; on the class path already, for Google Cloud Storage) the preferred
   * JCA provider, if it loads on this platform: TLS and SHA-256 then run in native code from the
   * first byte. The JDK's own implementations are as fast only once C2 has compiled their
   * intrinsics, which in a short-lived process takes a good part of the transfer (and in a JVM
   * limited to C1, for a fast start, never happens). Off with {@code -Dstasis.nativeCrypto=false};
   * where Conscrypt does not load, the JDK's providers stay in place. For the command line only: a
   * long-running process (the agent) gets the JDK's intrinsics soon enough.
   *
   * @return whether Conscrypt is now the first provider
   */
  public static boolean preferNativeCrypto() {
    if ("false".equalsIgnoreCase(System.getProperty("stasis.nativeCrypto"))) {
      return false;
    }
    try {
      java.security.Provider p =
          (java.security.Provider)
              Class.forName("org.conscrypt.OpenSSLProvider").getConstructor().newInstance();
      return java.security.Security.insertProviderAt(p, 1) == 1
          || java.security.Security.getProviders()[0].getName().equals(p.getName());
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return false; // not on the class path, or no native library for this platform
    }
  }
}
