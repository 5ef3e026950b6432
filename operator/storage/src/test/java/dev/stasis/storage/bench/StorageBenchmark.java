package dev.stasis.storage.bench;

import dev.stasis.storage.ArchiveGenerator;
import dev.stasis.storage.cli.StoreOptions;
import dev.stasis.testsupport.s3.S3Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints upload and restore wall time and peak RSS of Stasis {@code cp} against {@code aws s3 cp}
 * (raw archive) and {@code zstd -1 -T0 | aws s3 cp -}, all against S3Proxy on loopback. Every tool
 * runs as a child process under {@code /usr/bin/time -v}, which reports its peak RSS (for a shell
 * pipeline: the largest of its processes). Run it with {@code operator/storage/bench/storage.sh}.
 */
public final class StorageBenchmark {
  record Result(String name, double seconds, long rssKiB) {}

  static final String STASIS_JVM =
      "-Xmx160m -XX:MaxDirectMemorySize=32m -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=96m -XX:TieredStopAtLevel=4";

  public static void main(String[] args) throws Exception {
    long size = 1L << 30;
    long rssSize = 4L << 30;
    Path work = Path.of("target/bench");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size" -> size = StoreOptions.parseSize(args[++i]);
        case "--rss-size" -> rssSize = StoreOptions.parseSize(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Files.createDirectories(work);
    work = work.toAbsolutePath();
    Path archive = work.resolve("archive.tar");
    generate(archive, size);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    String stasis = java + " " + STASIS_JVM + " -cp " + cp + " dev.stasis.storage.cli.StorageCli";

    Path blobs = work.resolve("blobs");
    deleteTree(blobs);
    Files.createDirectories(blobs);
    try (S3Server server = S3Server.startFilesystem(blobs)) {
      server.createBucket("bench");
      Map<String, String> env = server.awsEnvironment();
      String ep = " --endpoint-url " + server.endpoint();
      System.out.printf(
          "machine: %d cores, %s; archive %d MiB (%s); S3Proxy filesystem blobstore on %s%n",
          Runtime.getRuntime().availableProcessors(),
          cpuModel(),
          size >> 20,
          archive,
          server.endpoint());
      String sha = sha256sum(archive);
      List<Result> up = new ArrayList<>();
      up.add(
          run(
              "stasis cp (zstd)",
              env,
              work,
              stasis + " cp --quiet " + archive + " s3://bench/stasis.tar.zst"));
      up.add(
          run(
              "aws s3 cp (raw)",
              env,
              work,
              "aws s3 cp --only-show-errors" + ep + " " + archive + " s3://bench/raw.tar"));
      up.add(
          run(
              "zstd -1 -T0 | aws s3 cp -",
              env,
              work,
              "zstd -1 -T0 -q -c "
                  + archive
                  + " | aws s3 cp --only-show-errors"
                  + ep
                  + " --expected-size "
                  + size
                  + " - s3://bench/pipe.tar.zst"));
      List<Result> down = new ArrayList<>();
      down.add(
          run(
              "stasis cp (verify)",
              env,
              work,
              stasis
                  + " cp --quiet --sha256 "
                  + sha
                  + " s3://bench/stasis.tar.zst "
                  + work.resolve("out-stasis.tar")));
      down.add(
          run(
              "aws s3 cp - | zstd -d | sha256sum",
              env,
              work,
              "aws s3 cp --only-show-errors"
                  + ep
                  + " s3://bench/pipe.tar.zst - | zstd -d -q | tee "
                  + work.resolve("out-aws.tar")
                  + " | sha256sum | grep -q "
                  + sha));
      if (!sha.equals(sha256sum(work.resolve("out-stasis.tar")))) {
        throw new IllegalStateException("Stasis restored a different archive");
      }
      print("upload", up);
      print("download + decompress + verify", down);
      System.out.printf(
          "ratios: upload stasis vs aws raw %.2fx, vs zstd pipeline %.2fx; restore stasis vs aws+zstd %.2fx%n",
          up.get(1).seconds() / up.get(0).seconds(),
          up.get(2).seconds() / up.get(0).seconds(),
          down.get(1).seconds() / down.get(0).seconds());
      Files.deleteIfExists(work.resolve("out-stasis.tar"));
      Files.deleteIfExists(work.resolve("out-aws.tar"));

      if (rssSize > 0) {
        Path big = work.resolve("archive-big.tar");
        generate(big, rssSize);
        Result bu =
            run(
                "stasis cp up " + (rssSize >> 20) + " MiB",
                env,
                work,
                stasis + " cp --quiet " + big + " s3://bench/big.tar.zst");
        Result bd =
            run(
                "stasis cp down " + (rssSize >> 20) + " MiB",
                env,
                work,
                stasis + " cp --quiet s3://bench/big.tar.zst " + work.resolve("out-big.tar"));
        print("peak RSS moving a large archive (JVM: " + STASIS_JVM + ")", List.of(bu, bd));
        Files.deleteIfExists(work.resolve("out-big.tar"));
      }
    }
    deleteTree(blobs);
  }

  static String cpuModel() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (l.startsWith("model name")) {
        return l.substring(l.indexOf(':') + 1).trim();
      }
    }
    return "unknown CPU";
  }

  static void print(String title, List<Result> results) {
    System.out.printf("%n%s%n", title);
    System.out.printf("  %-38s %10s %14s%n", "tool", "wall s", "peak RSS MiB");
    for (Result r : results) {
      System.out.printf("  %-38s %10.2f %14.1f%n", r.name(), r.seconds(), r.rssKiB() / 1024.0);
    }
  }

  static void generate(Path file, long size) throws IOException {
    if (Files.exists(file) && Files.size(file) == size) {
      return; // deterministic: same size, same bytes
    }
    try (InputStream in = new ArchiveGenerator(size, 42);
        OutputStream out = Files.newOutputStream(file)) {
      in.transferTo(out);
    }
  }

  static String sha256sum(Path file) throws Exception {
    Process p = new ProcessBuilder("sha256sum", file.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    p.waitFor();
    return out.split(" ")[0];
  }

  static final Pattern RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");

  static Result run(String name, Map<String, String> env, Path dir, String command)
      throws Exception {
    Path timeOut = Files.createTempFile(dir, "time", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(
                "/usr/bin/time",
                "-v",
                "-o",
                timeOut.toString(),
                "bash",
                "-o",
                "pipefail",
                "-c",
                command)
            .directory(dir.toFile())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(3600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(name + " failed (" + p.exitValue() + "): " + out);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    String t = Files.readString(timeOut);
    Files.delete(timeOut);
    Matcher m = RSS.matcher(t);
    long rss = m.find() ? Long.parseLong(m.group(1)) : -1;
    System.out.printf("  ran %-36s %8.2f s %8.1f MiB%n", name, secs, rss / 1024.0);
    return new Result(name, secs, rss);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
