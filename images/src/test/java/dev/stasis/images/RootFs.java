package dev.stasis.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * An image's root filesystem, unpacked from its layers the way a container runtime does it (in
 * order, whiteouts removing what lower layers added), and a way to run a command in it: a new PID
 * and mount namespace with /proc mounted ({@code unshare}), {@code chroot} as the image's user,
 * with exactly the image's environment.
 */
final class RootFs {
  static final Path CHROOT = Path.of("/usr/sbin/chroot");
  static final Path UNSHARE = Path.of("/usr/bin/unshare");

  private final Path dir;

  private RootFs(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** Why commands cannot run in a root filesystem here, or null when they can. */
  static String cannotRunReason() {
    if (!Files.isExecutable(CHROOT) || !Files.isExecutable(UNSHARE)) {
      return CHROOT + " or " + UNSHARE + " missing (coreutils, util-linux)";
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return "running an image's entrypoint needs root (chroot, unshare --mount-proc)";
    }
    return null;
  }

  /** A layer as a gzip-compressed tar and the diff id (digest of the tar) the image declares. */
  record Layer(Path gzip, String diffId) {}

  /** Unpacks {@code layers} (bottom first) into {@code dir}, checking each diff id. */
  static RootFs unpack(Path dir, List<Layer> layers, Path work)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int i = 0;
    for (Layer layer : layers) {
      Path tar = work.resolve("layer-" + i++ + ".tar");
      MessageDigest md = OciRegistry.sha256();
      try (InputStream in =
          new DigestInputStream(new GZIPInputStream(Files.newInputStream(layer.gzip())), md)) {
        Files.copy(in, tar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      String diffId = "sha256:" + java.util.HexFormat.of().formatHex(md.digest());
      if (!diffId.equals(layer.diffId())) {
        throw new IOException(
            "layer "
                + layer.gzip()
                + " unpacks to "
                + diffId
                + ", the config says "
                + layer.diffId());
      }
      Exec.Result list = tar(List.of("-tf", tar.toString()), work);
      for (String entry : list.output().split("\n")) {
        applyWhiteout(dir, entry);
      }
      tar(
          List.of(
              "-xf",
              tar.toString(),
              "-C",
              dir.toString(),
              "--numeric-owner",
              "--same-permissions",
              "--exclude=.wh.*"),
          work);
      Files.delete(tar);
    }
    return new RootFs(dir);
  }

  /**
   * {@code a/.wh.b} deletes {@code a/b} of lower layers; {@code a/.wh..wh..opq} empties {@code a}.
   */
  private static void applyWhiteout(Path root, String entry) throws IOException {
    String name = entry.startsWith("./") ? entry.substring(2) : entry;
    int slash = name.lastIndexOf('/');
    String parent = slash < 0 ? "" : name.substring(0, slash);
    String base = name.substring(slash + 1);
    if (!base.startsWith(".wh.")) {
      return;
    }
    Path parentDir = root.resolve(parent).normalize();
    if (!parentDir.startsWith(root)) {
      throw new IOException("whiteout outside the root filesystem: " + entry);
    }
    if (base.equals(".wh..wh..opq")) {
      if (Files.isDirectory(parentDir, LinkOption.NOFOLLOW_LINKS)) {
        try (Stream<Path> children = Files.list(parentDir)) {
          for (Path child : children.toList()) {
            deleteTree(child);
          }
        }
      }
    } else {
      deleteTree(parentDir.resolve(base.substring(".wh.".length())));
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> walk = Files.walk(p)) {
        for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    } else {
      Files.delete(p);
    }
  }

  private static Exec.Result tar(List<String> args, Path work)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("tar");
    command.addAll(args);
    Exec.Result r =
        Exec.run(command, work, Map.of(), false, Duration.ofMinutes(2), work.resolve("tar.log"));
    if (r.exitCode() != 0) {
      throw new IOException(r.describe());
    }
    return r;
  }

  /**
   * The command line that runs {@code argv} in this root filesystem as {@code user} ("uid:gid"),
   * the way a runtime starts a container: own PID namespace, /proc mounted, the root changed. The
   * child dies with the {@code unshare} process.
   */
  List<String> command(String user, List<String> argv) {
    List<String> command = new ArrayList<>();
    command.add(UNSHARE.toString());
    command.add("--mount");
    command.add("--pid");
    command.add("--fork");
    command.add("--kill-child");
    command.add("--mount-proc=" + dir.resolve("proc"));
    command.add(CHROOT.toString());
    command.add("--userspec=" + user);
    command.add(dir.toString());
    command.addAll(argv);
    return command;
  }

  /** Runs {@code argv} to completion with only {@code env} as its environment. */
  Exec.Result run(
      String user, List<String> argv, Map<String, String> env, Duration timeout, Path log)
      throws IOException, InterruptedException {
    return Exec.run(command(user, argv), dir, env, true, timeout, log);
  }
}
