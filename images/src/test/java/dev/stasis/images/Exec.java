package dev.stasis.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion with a time limit; its output (stdout and stderr) goes to a file.
 */
final class Exec {
  private Exec() {}

  record Result(List<String> command, int exitCode, String output, Duration took) {
    /** For assertion messages. */
    String describe() {
      return String.join(" ", command) + "\nexit " + exitCode + "\n" + output;
    }
  }

  /**
   * @param env the whole environment of the command when {@code clearEnv}, else added to this JVM's
   */
  static Result run(
      List<String> command,
      Path dir,
      Map<String, String> env,
      boolean clearEnv,
      Duration timeout,
      Path log)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    if (clearEnv) {
      pb.environment().clear();
    }
    env.forEach(
        (k, v) -> {
          if (v == null) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
    long start = System.nanoTime();
    Process p = pb.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + "; output so far:\n"
                + tail(Files.readString(log), 6000));
      }
    } finally {
      destroy(p);
    }
    return new Result(
        command, p.exitValue(), Files.readString(log), Duration.ofNanos(System.nanoTime() - start));
  }

  /** Ends a process and everything it started, waiting for them. */
  static void destroy(Process p) throws InterruptedException {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    children.forEach(ProcessHandle::destroy);
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      children.forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static String tail(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max);
  }
}
