package dev.stasis.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * A stand-in for {@code eclipse-temurin:17-jre}, which cannot be pulled here: a Java 17 runtime
 * made with jlink from the build JDK in {@code /opt/java/openjdk}, with {@code JAVA_HOME} and
 * {@code PATH} set as in the Temurin images, plus the shared libraries the runtime links against
 * (found with ldd, the dynamic loader included) and the rest of glibc. One layer, pushed to a
 * registry as an OCI image.
 */
final class StandInBaseImage {
  static final String JAVA_HOME = "/opt/java/openjdk";
  static final String PATH =
      JAVA_HOME + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /**
   * Generously more than what {@code jdeps --print-module-deps} finds in the two shaded jars: the
   * whole Java SE plus the JDK modules that libraries load reflectively (Unsafe, EC and PKCS#11
   * crypto, DNS, JFR, the management beans). The Temurin JRE has all of them too.
   */
  static final List<String> MODULES =
      List.of(
          "java.se",
          "jdk.unsupported",
          "jdk.crypto.ec",
          "jdk.crypto.cryptoki",
          "jdk.management",
          "jdk.naming.dns",
          "jdk.httpserver",
          "jdk.zipfs",
          "jdk.net",
          "jdk.jfr");

  /** The shared libraries of glibc (Debian's libc6), next to libc.so.6. */
  static final List<String> GLIBC =
      List.of(
          "libc.so.6",
          "libm.so.6",
          "libpthread.so.0",
          "libdl.so.2",
          "librt.so.1",
          "libresolv.so.2",
          "libutil.so.1",
          "libanl.so.1",
          "libnss_files.so.2",
          "libnss_dns.so.2");

  private static final Pattern LDD_LINE =
      Pattern.compile("^\\s*(?:\\S+\\s+=>\\s+)?(/\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");

  /** What was pushed. */
  record Pushed(String reference, String layerDigest, String diffId, long layerSize) {}

  private StandInBaseImage() {}

  static Pushed build(Path work, OciRegistry registry, String host, String repository, String tag)
      throws IOException, InterruptedException {
    Path rootfs = work.resolve("base-rootfs");
    Files.createDirectories(rootfs.resolve("opt/java"));
    Path javaHome = rootfs.resolve(JAVA_HOME.substring(1));
    Path buildJdk = Path.of(System.getProperty("java.home"));
    List<String> command;
    if (Files.isDirectory(buildJdk.resolve("jmods"))) {
      command =
          List.of(
              buildJdk.resolve("bin/jlink").toString(),
              "--add-modules",
              String.join(",", MODULES),
              "--strip-debug",
              "--no-man-pages",
              "--no-header-files",
              "--output",
              javaHome.toString());
    } else {
      // A JDK without jmods (Debian's openjdk-17-jmods not installed) cannot jlink: the whole
      // build JDK, a superset of the JRE, stands in then (cp complains about dangling links such
      // as Debian's lib/src.zip and copies the rest).
      command = List.of("cp", "-RL", buildJdk.toString(), javaHome.toString());
    }
    Exec.Result made =
        Exec.run(command, work, Map.of(), false, Duration.ofMinutes(3), work.resolve("jlink.log"));
    if (!Files.isExecutable(javaHome.resolve("bin/java"))
        || (made.exitCode() != 0 && command.get(0).endsWith("jlink"))) {
      throw new IOException("making the Java runtime failed:\n" + made.describe());
    }
    for (String lib : sharedLibraries(javaHome, work)) {
      Path target = rootfs.resolve(lib.substring(1));
      Files.createDirectories(target.getParent());
      Files.copy(Path.of(lib), target, StandardCopyOption.REPLACE_EXISTING);
    }
    // The rest of a minimal root filesystem: a world-writable /tmp (the images set
    // -Djava.io.tmpdir=/tmp), mount points, users, and the C.UTF-8 locale (Temurin sets a UTF-8
    // LANG).
    Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.createDirectories(rootfs.resolve("proc"));
    Files.createDirectories(rootfs.resolve("dev"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
    Path locale = Path.of("/usr/lib/locale/C.utf8");
    if (Files.isDirectory(locale)) {
      copyTree(locale, rootfs.resolve("usr/lib/locale/C.utf8"));
    }

    Path tar = work.resolve("base-layer.tar");
    Exec.Result tarred =
        Exec.run(
            List.of(
                "tar",
                "--sort=name",
                "--mtime=@0",
                "--owner=0",
                "--group=0",
                "--numeric-owner",
                "-C",
                rootfs.toString(),
                "-cf",
                tar.toString(),
                "."),
            work,
            Map.of(),
            false,
            Duration.ofMinutes(2),
            work.resolve("tar.log"));
    if (tarred.exitCode() != 0) {
      throw new IOException("tar failed:\n" + tarred.describe());
    }
    Path gz = work.resolve("base-layer.tar.gz");
    MessageDigest uncompressed = OciRegistry.sha256();
    try (InputStream in = Files.newInputStream(tar);
        OutputStream out =
            new DigestOutputStream(
                new GZIPOutputStream(Files.newOutputStream(gz), 1 << 16) {
                  {
                    def.setLevel(Deflater.BEST_SPEED);
                  }
                },
                uncompressed)) {
      in.transferTo(out);
    }
    Files.delete(tar);
    String diffId = "sha256:" + HexFormat.of().formatHex(uncompressed.digest());

    ObjectMapper json = new ObjectMapper();
    ObjectNode config = json.createObjectNode();
    config.put("architecture", architecture());
    config.put("os", "linux");
    config.put("created", "1970-01-01T00:00:00Z");
    ObjectNode runtime = config.putObject("config");
    ArrayNode env = runtime.putArray("Env");
    env.add("PATH=" + PATH);
    env.add("JAVA_HOME=" + JAVA_HOME);
    env.add("LANG=C.UTF-8");
    runtime.putArray("Cmd").add("java").add("-version");
    ObjectNode fs = config.putObject("rootfs");
    fs.put("type", "layers");
    fs.putArray("diff_ids").add(diffId);
    config
        .putArray("history")
        .addObject()
        .put("created", "1970-01-01T00:00:00Z")
        .put("created_by", "jlink --add-modules " + String.join(",", MODULES) + " + ldd closure")
        .put("comment", "stand-in for eclipse-temurin:17-jre (stasis images test)");
    Path configFile = work.resolve("base-config.json");
    Files.write(configFile, json.writeValueAsBytes(config));

    String layerDigest = registry.pushBlob(repository, gz);
    String configDigest = registry.pushBlob(repository, configFile);
    ObjectNode manifest = json.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OciRegistry.OCI_MANIFEST);
    manifest
        .putObject("config")
        .put("mediaType", "application/vnd.oci.image.config.v1+json")
        .put("digest", configDigest)
        .put("size", Files.size(configFile));
    manifest
        .putArray("layers")
        .addObject()
        .put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip")
        .put("digest", layerDigest)
        .put("size", Files.size(gz));
    registry.pushManifest(
        repository, tag, OciRegistry.OCI_MANIFEST, json.writeValueAsBytes(manifest));
    return new Pushed(host + "/" + repository + ":" + tag, layerDigest, diffId, Files.size(gz));
  }

  /** Every library outside the runtime that its executables and libraries load (ldd). */
  static TreeSet<String> sharedLibraries(Path javaHome, Path work)
      throws IOException, InterruptedException {
    List<Path> elves = new ArrayList<>();
    try (Stream<Path> files = Files.walk(javaHome)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && isElf(f)) {
          elves.add(f);
        }
      }
    }
    List<String> command = new ArrayList<>(List.of("ldd"));
    elves.forEach(f -> command.add(f.toString()));
    // ldd exits non-zero when one of several files is not dynamic; its output still lists the rest.
    Exec.Result ldd =
        Exec.run(command, work, Map.of(), false, Duration.ofMinutes(1), work.resolve("ldd.log"));
    TreeSet<String> libraries = new TreeSet<>();
    for (String line : ldd.output().split("\n")) {
      Matcher m = LDD_LINE.matcher(line);
      if (m.matches() && !Path.of(m.group(1)).startsWith(javaHome)) {
        libraries.add(m.group(1));
      }
    }
    String libc =
        libraries.stream()
            .filter(l -> l.endsWith("/libc.so.6"))
            .findFirst()
            .orElseThrow(() -> new IOException("ldd found no libc:\n" + ldd.describe()));
    if (libraries.stream().noneMatch(l -> l.contains("/ld-linux"))) {
      throw new IOException("ldd found no dynamic loader:\n" + ldd.describe());
    }
    // The rest of the C library, as in any distribution's base image: native code that the
    // application unpacks at run time (zstd-jni, Netty's epoll) links against libpthread, libdl,
    // librt, and name resolution loads the NSS modules.
    Path libcDir = Path.of(libc).getParent();
    for (String name : GLIBC) {
      if (Files.exists(libcDir.resolve(name))) {
        libraries.add(libcDir.resolve(name).toString());
      }
    }
    return libraries;
  }

  private static boolean isElf(Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      byte[] magic = in.readNBytes(4);
      return magic.length == 4
          && magic[0] == 0x7f
          && magic[1] == 'E'
          && magic[2] == 'L'
          && magic[3] == 'F';
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** The OCI architecture of this machine. */
  static String architecture() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> arch;
    };
  }
}
