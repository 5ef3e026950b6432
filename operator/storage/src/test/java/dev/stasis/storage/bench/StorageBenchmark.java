package dev.stasis.storage.bench;

import dev.stasis.storage.ArchiveGenerator;
import dev.stasis.storage.cli.StoreOptions;
import dev.stasis.testsupport.kubelet.TestTls;
import dev.stasis.testsupport.s3.S3Server;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints upload and restore wall time and peak RSS of Stasis {@code cp} against {@code aws s3 cp}
 * (raw archive) and {@code zstd -1 -T0 | aws s3 cp -}, all against the same S3Proxy on loopback
 * (https by default, every tool trusting the same throw-away CA; {@code --http} for plain http).
 * Every tool runs as a child process under {@code /usr/bin/time -v}, which reports its peak RSS
 * (for a shell pipeline: the largest of its processes). Each measurement is repeated {@code --runs}
 * times, the tools taking turns, and the median is reported. Before each run the program waits (up
 * to {@code --max-wait} seconds) until the machine has been idle (all CPUs together at most {@code
 * --max-busy} percent busy) for two seconds in a row. It prints, for each run, the share of CPU
 * time the hypervisor took away (steal); a run with more than {@code --max-steal} percent is set
 * aside and repeated (see {@link #measure}). Run it with {@code operator/storage/bench/storage.sh}.
 */
public final class StorageBenchmark {
  record Sample(double seconds, long rssKiB, double stealPercent) {}

  /**
   * The Stasis command-line JVM, as a launcher would start it for one transfer: a fixed small heap
   * with a small young generation, the buffers of the transfer's pools (all 512 KiB or more)
   * allocated in the old generation at once instead of being copied by young collections, the
   * serial collector (one short-lived process), C1 only with one compiler thread (the hot loops are
   * native: zstd, and with Conscrypt SHA-256 and TLS; C2 spends about 0.7 CPU-s per upload
   * compiling the SDK's start-up and per-request code), and the class-data archive the benchmark
   * creates once (see {@link #createCdsArchive}).
   */
  static final String STASIS_JVM =
      "-Xms128m -Xmx128m -Xmn16m -XX:PretenureSizeThreshold=512k -XX:+UseSerialGC"
          + " -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1"
          + " -XX:MaxDirectMemorySize=32m -Xss512k -XX:ReservedCodeCacheSize=32m"
          + " -XX:MaxMetaspaceSize=96m -XX:-UsePerfData";

  static final String SHA = "sha256sum";

  public static void main(String[] args) throws Exception {
    long size = 1L << 30;
    long rssSize = 4L << 30;
    Path work = Path.of("target/bench");
    boolean serve = false;
    boolean tls = true;
    boolean cds = true;
    int runs = 5;
    int rssRuns = 1;
    double maxBusy = 10;
    int maxWait = 120;
    double maxSteal = 5;
    String jvm = STASIS_JVM;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size" -> size = StoreOptions.parseSize(args[++i]);
        case "--rss-size" -> rssSize = StoreOptions.parseSize(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--rss-runs" -> rssRuns = Integer.parseInt(args[++i]);
        case "--max-busy" -> maxBusy = Double.parseDouble(args[++i]);
        case "--max-wait" -> maxWait = Integer.parseInt(args[++i]);
        case "--max-steal" -> maxSteal = Double.parseDouble(args[++i]);
        case "--stasis-jvm" -> jvm = args[++i];
        case "--http" -> tls = false;
        case "--no-cds" -> cds = false;
        case "--serve" -> serve = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Files.createDirectories(work);
    work = work.toAbsolutePath();
    Tls t = tls ? Tls.create(work.resolve("tls")) : null;
    if (serve) {
      serve(work.resolve("blobs"), t);
      return;
    }
    Path archive = work.resolve("archive.tar");
    generate(archive, size);
    Path small = work.resolve("archive-small.tar");
    generate(small, 64L << 20);

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = stasisClasspath(work.resolve("lib"));
    String stasisJvm = jvm + (t == null ? "" : " " + t.javaOptions());
    Path jsa = work.resolve("stasis.jsa");
    Path blobs = work.resolve("blobs");
    deleteTree(blobs);
    Files.createDirectories(blobs);
    try (S3Server server =
        t == null
            ? S3Server.startFilesystem(blobs)
            : S3Server.startFilesystem(blobs, t.keyStore(), Tls.PASSWORD)) {
      server.createBucket("bench");
      Map<String, String> env = new HashMap<>(server.awsEnvironment());
      if (t != null) {
        env.put("AWS_CA_BUNDLE", t.caPem().toString());
      }
      String stasis = java + " " + stasisJvm + " -cp " + cp + " dev.stasis.storage.cli.StorageCli";
      if (cds) {
        stasis =
            java
                + " "
                + stasisJvm
                + " -XX:SharedArchiveFile="
                + createCdsArchive(java, stasisJvm, cp, jsa, small, env, work)
                + " -Xshare:auto -cp "
                + cp
                + " dev.stasis.storage.cli.StorageCli";
      }
      String sha = sha256sum(archive);
      System.out.printf(
          "machine: %d cores, %s, %d MiB RAM; archive %d MiB (%s), sha256 %s%n"
              + "server: S3Proxy (filesystem blobstore, SigV4) on %s%n"
              + "stasis: %s%n",
          Runtime.getRuntime().availableProcessors(),
          cpuModel(),
          memMiB(),
          size >> 20,
          archive,
          sha,
          server.endpoint(),
          stasis);

      Map<String, String> up = new LinkedHashMap<>();
      up.put("stasis cp (zstd)", stasis + " cp --quiet %s s3://bench/stasis.tar.zst");
      up.put("aws s3 cp (raw archive)", "aws s3 cp --only-show-errors %s s3://bench/raw.tar");
      up.put(
          "zstd -1 -T0 | aws s3 cp -",
          "zstd -1 -T0 -q -c %s | aws s3 cp --only-show-errors --expected-size %d"
              + " - s3://bench/pipe.tar.zst");
      Map<String, String> down = new LinkedHashMap<>();
      down.put(
          "stasis cp (verified)", stasis + " cp --quiet --sha256 %s s3://bench/stasis.tar.zst %s");
      down.put(
          "aws s3 cp - | zstd -d | sha256sum",
          "aws s3 cp --only-show-errors s3://bench/pipe.tar.zst - | zstd -d -q | tee %2$s | "
              + SHA
              + " | grep -q %1$s");

      // Round 0 is a warm-up whose figures are dropped: the server's JVM compiles its hot paths,
      // and sizes its heap, during the first gigabytes it moves, whoever sends them. With a 64 MiB
      // warm-up only, the first two measured rounds were up to 50% slower than the rest.
      Path out = work.resolve("out.tar");
      Map<String, List<Sample>> results = new LinkedHashMap<>();
      for (int r = 0; r <= runs; r++) {
        boolean warmUp = r == 0;
        System.out.println(warmUp ? "warm-up round (not measured)" : "run " + r + " of " + runs);
        Map<String, List<Sample>> into = warmUp ? new LinkedHashMap<>() : results;
        for (Map.Entry<String, String> e : up.entrySet()) {
          String c = String.format(Locale.ROOT, e.getValue(), archive, size);
          add(
              into,
              "up " + e.getKey(),
              measure(e.getKey(), env, work, c, maxBusy, maxWait, maxSteal, () -> cache(archive)));
        }
        for (Map.Entry<String, String> e : down.entrySet()) {
          String c = String.format(Locale.ROOT, e.getValue(), sha, out);
          Path stored =
              blobs.resolve(
                  e.getKey().startsWith("stasis") ? "bench/stasis.tar.zst" : "bench/pipe.tar.zst");
          add(
              into,
              "down " + e.getKey(),
              measure(e.getKey(), env, work, c, maxBusy, maxWait, maxSteal, () -> cache(stored)));
          if (e.getKey().startsWith("stasis") && !sha.equals(sha256sum(out))) {
            throw new IllegalStateException("Stasis restored a different archive");
          }
          Files.deleteIfExists(out);
        }
      }

      if (rssSize > 0) {
        Path big = work.resolve("archive-big.tar");
        generate(big, rssSize);
        for (int r = 0; r < rssRuns; r++) {
          System.out.printf("large archive, run %d of %d%n", r + 1, rssRuns);
          String mib = (rssSize >> 20) + " MiB";
          add(
              results,
              "big up",
              measure(
                  "stasis cp up " + mib,
                  env,
                  work,
                  stasis + " cp --quiet " + big + " s3://bench/big.tar.zst",
                  maxBusy,
                  maxWait,
                  maxSteal,
                  () -> cache(big)));
          add(
              results,
              "big down",
              measure(
                  "stasis cp down " + mib,
                  env,
                  work,
                  stasis + " cp --quiet s3://bench/big.tar.zst " + out,
                  maxBusy,
                  maxWait,
                  maxSteal,
                  () -> cache(blobs.resolve("bench/big.tar.zst"))));
          Files.deleteIfExists(out);
        }
      }
      report(results, runs, rssSize);
    } finally {
      deleteTree(blobs);
    }
  }

  static void add(Map<String, List<Sample>> results, String key, Sample s) {
    results.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
  }

  /** Medians, ratios and targets. */
  static void report(Map<String, List<Sample>> results, int runs, long rssSize) {
    System.out.printf("%nmedian of %d runs (wall s, peak RSS MiB; all runs in brackets)%n", runs);
    Map<String, Sample> med = new LinkedHashMap<>();
    for (Map.Entry<String, List<Sample>> e : results.entrySet()) {
      Sample m = median(e.getValue());
      med.put(e.getKey(), m);
      StringBuilder all = new StringBuilder();
      for (Sample s : e.getValue()) {
        all.append(String.format(Locale.ROOT, " %.2f", s.seconds()));
      }
      System.out.printf(
          Locale.ROOT,
          "  %-42s %8.2f %8.1f   [%s ]%n",
          e.getKey(),
          m.seconds(),
          m.rssKiB() / 1024.0,
          all.toString().trim());
    }
    double stasisUp = med.get("up stasis cp (zstd)").seconds();
    double awsUp = med.get("up aws s3 cp (raw archive)").seconds();
    double pipeUp = med.get("up zstd -1 -T0 | aws s3 cp -").seconds();
    double stasisDown = med.get("down stasis cp (verified)").seconds();
    double awsDown = med.get("down aws s3 cp - | zstd -d | sha256sum").seconds();
    System.out.printf(
        Locale.ROOT,
        "%nratios (higher is better for Stasis):%n"
            + "  upload  vs aws s3 cp (raw)        %.2fx  (target 1.5x) %s%n"
            + "  upload  vs zstd | aws s3 cp -     %.2fx  (target 1.2x) %s%n"
            + "  restore vs aws s3 cp + zstd -d    %.2fx  (target 1.5x) %s%n",
        awsUp / stasisUp,
        met(awsUp / stasisUp >= 1.5),
        pipeUp / stasisUp,
        met(pipeUp / stasisUp >= 1.2),
        awsDown / stasisDown,
        met(awsDown / stasisDown >= 1.5));
    if (rssSize > 0) {
      double upRss = med.get("big up").rssKiB() / 1024.0;
      double downRss = med.get("big down").rssKiB() / 1024.0;
      System.out.printf(
          Locale.ROOT,
          "  peak RSS moving %d MiB: up %.1f MiB, down %.1f MiB (target <= 256) %s%n",
          rssSize >> 20,
          upRss,
          downRss,
          met(upRss <= 256 && downRss <= 256));
    }
  }

  static String met(boolean ok) {
    return ok ? "met" : "MISSED";
  }

  static Sample median(List<Sample> l) {
    List<Sample> s = new ArrayList<>(l);
    s.sort((a, b) -> Double.compare(a.seconds(), b.seconds()));
    Sample m = s.get(s.size() / 2);
    if (s.size() % 2 == 0) {
      Sample lo = s.get(s.size() / 2 - 1);
      long[] rss = l.stream().mapToLong(Sample::rssKiB).sorted().toArray();
      long rssMed = (rss[rss.length / 2 - 1] + rss[rss.length / 2]) / 2;
      return new Sample(
          (lo.seconds() + m.seconds()) / 2, rssMed, (lo.stealPercent() + m.stealPercent()) / 2);
    }
    long[] rss = l.stream().mapToLong(Sample::rssKiB).sorted().toArray();
    return new Sample(m.seconds(), rss[rss.length / 2], m.stealPercent());
  }

  /**
   * The Stasis command's class path: what storage.sh passes as {@code stasis.classpath} (the
   * module's jar and its runtime dependencies), with the project's own jars copied into {@code lib}
   * so that builds running meanwhile cannot change them under the benchmark (or its CDS archive).
   */
  static String stasisClasspath(Path lib) throws IOException {
    String cp = System.getProperty("stasis.classpath", System.getProperty("java.class.path"));
    String repo = Path.of(System.getProperty("user.home"), ".m2").toString();
    Files.createDirectories(lib);
    List<String> out = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      Path p = Path.of(e);
      if (e.startsWith(repo) || !Files.isRegularFile(p)) {
        out.add(e);
      } else {
        Path copy = lib.resolve(p.getFileName());
        Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
        out.add(copy.toString());
      }
    }
    return String.join(File.pathSeparator, out);
  }

  /**
   * AppCDS, what a launcher does once at install time: records the classes an upload and a download
   * load, and dumps them into a shared archive that later runs map instead of loading, verifying
   * and linking the classes again.
   */
  static Path createCdsArchive(
      String java, String jvm, String cp, Path jsa, Path small, Map<String, String> env, Path work)
      throws Exception {
    Path upList = work.resolve("cds-up.classlist");
    Path downList = work.resolve("cds-down.classlist");
    String main = " -cp " + cp + " dev.stasis.storage.cli.StorageCli";
    String dump = java + " " + jvm + " -Xshare:off -XX:DumpLoadedClassList=";
    run(
        "cds: class list (upload)",
        env,
        work,
        dump + upList + main + " cp --quiet " + small + " s3://bench/cds.tar.zst",
        0,
        0);
    Path out = work.resolve("cds-out.tar");
    run(
        "cds: class list (download)",
        env,
        work,
        dump + downList + main + " cp --quiet s3://bench/cds.tar.zst " + out,
        0,
        0);
    Files.deleteIfExists(out);
    Path list = work.resolve("cds.classlist");
    List<String> lines = new ArrayList<>(Files.readAllLines(upList));
    for (String l : Files.readAllLines(downList)) {
      if (!lines.contains(l)) {
        lines.add(l);
      }
    }
    Files.write(list, lines);
    Files.deleteIfExists(jsa);
    run(
        "cds: dump archive",
        env,
        work,
        java
            + " "
            + jvm
            + " -Xshare:dump -XX:SharedClassListFile="
            + list
            + " -XX:SharedArchiveFile="
            + jsa
            + " -cp "
            + cp,
        0,
        0);
    return jsa;
  }

  /**
   * Only the server, for profiling a tool by hand: prints its environment and runs until killed.
   */
  static void serve(Path blobs, Tls t) throws Exception {
    deleteTree(blobs);
    Files.createDirectories(blobs);
    try (S3Server server =
        t == null
            ? S3Server.startFilesystem(blobs)
            : S3Server.startFilesystem(blobs, t.keyStore(), Tls.PASSWORD)) {
      server.createBucket("bench");
      server.awsEnvironment().forEach((k, v) -> System.out.println("export " + k + "=" + v));
      if (t != null) {
        System.out.println("export AWS_CA_BUNDLE=" + t.caPem());
        System.out.println("export STASIS_TLS_OPTS='" + t.javaOptions() + "'");
      }
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  /**
   * A throw-away CA and a certificate for 127.0.0.1: the server's key store, the CA as PEM for the
   * AWS CLI ({@code AWS_CA_BUNDLE}) and as a trust store for the Stasis JVM.
   */
  record Tls(Path keyStore, Path caPem, Path trustStore) {
    static final String PASSWORD = "stasis-bench";

    static Tls create(Path dir) throws Exception {
      Files.createDirectories(dir);
      TestTls t = TestTls.generate("stasis-bench-s3");
      Path ks = dir.resolve("server.p12");
      KeyStore k = KeyStore.getInstance("PKCS12");
      k.load(null, null);
      k.setKeyEntry(
          "server",
          t.privateKey(),
          PASSWORD.toCharArray(),
          new X509Certificate[] {t.certificate(), t.caCertificate()});
      try (OutputStream o = Files.newOutputStream(ks)) {
        k.store(o, PASSWORD.toCharArray());
      }
      Path ts = dir.resolve("trust.p12");
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", t.caCertificate());
      try (OutputStream o = Files.newOutputStream(ts)) {
        trust.store(o, PASSWORD.toCharArray());
      }
      Path pem = dir.resolve("ca.pem");
      Files.writeString(pem, t.caPem(), StandardCharsets.US_ASCII);
      return new Tls(ks, pem, ts);
    }

    String javaOptions() {
      return "-Djavax.net.ssl.trustStore="
          + trustStore
          + " -Djavax.net.ssl.trustStorePassword="
          + PASSWORD
          + " -Djavax.net.ssl.trustStoreType=PKCS12";
    }
  }

  static String cpuModel() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
      if (l.startsWith("model name")) {
        return l.substring(l.indexOf(':') + 1).trim();
      }
    }
    return "unknown CPU";
  }

  static long memMiB() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (l.startsWith("MemTotal:")) {
        return Long.parseLong(l.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }

  /** CPU time counters of all CPUs together, in clock ticks: {busy, idle, steal}. */
  static long[] cpuTicks() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    // cpu user nice system idle iowait irq softirq steal ...
    long busy = 0;
    for (int i : new int[] {1, 2, 3, 6, 7}) {
      busy += Long.parseLong(f[i]);
    }
    return new long[] {busy, Long.parseLong(f[4]) + Long.parseLong(f[5]), Long.parseLong(f[8])};
  }

  /**
   * Waits up to {@code maxWait} seconds until the machine has been idle for two one-second samples
   * in a row (busy at most {@code maxBusyPercent} of all CPUs): the previous run's processes gone,
   * the server's collector done. Returns how busy the last second was.
   */
  static double waitForIdle(double maxBusyPercent, int maxWait) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxWait);
    int quiet = 0;
    double busy = 100;
    long[] prev = cpuTicks();
    while (quiet < 2 && System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      long[] now = cpuTicks();
      long b = now[0] - prev[0];
      long all = b + now[1] - prev[1] + now[2] - prev[2];
      busy = all == 0 ? 0 : 100.0 * b / all;
      quiet = busy <= maxBusyPercent ? quiet + 1 : 0;
      prev = now;
    }
    if (quiet < 2) {
      System.out.printf(
          Locale.ROOT, "  (still %.0f%% busy after %d s, running anyway)%n", busy, maxWait);
    }
    return busy;
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
    Process p = new ProcessBuilder(SHA, file.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    p.waitFor();
    return out.split(" ")[0];
  }

  /** What runs, untimed, before each attempt of a measurement. */
  interface Preparation {
    void run() throws Exception;
  }

  /**
   * One measured run. When the hypervisor took more than {@code maxSteal} percent of the CPU time
   * during it (another guest on the host was busy), the run measured the host, not the tool: it is
   * printed, set aside and run again, at most twice; the third attempt counts whatever its steal.
   */
  static Sample measure(
      String name,
      Map<String, String> env,
      Path dir,
      String command,
      double maxBusy,
      int maxWait,
      double maxSteal,
      Preparation prepare)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      prepare.run();
      Sample s = run(name, env, dir, command, maxBusy, maxWait);
      if (s.stealPercent() <= maxSteal || attempt == 3) {
        return s;
      }
      System.out.printf(
          Locale.ROOT,
          "    (steal %.1f%% > %.0f%%: set aside, running again)%n",
          s.stealPercent(),
          maxSteal);
    }
  }

  static final Pattern RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");

  static Sample run(
      String name, Map<String, String> env, Path dir, String command, double maxBusy, int maxWait)
      throws Exception {
    double busy = maxBusy > 0 ? waitForIdle(maxBusy, maxWait) : -1;
    Path timeOut = Files.createTempFile(dir, "time", ".txt");
    List<String> cmd =
        new ArrayList<>(
            Arrays.asList(
                "/usr/bin/time",
                "-v",
                "-o",
                timeOut.toString(),
                "bash",
                "-o",
                "pipefail",
                "-c",
                command));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    long[] ticks0 = cpuTicks();
    long t0 = System.nanoTime();
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(3600, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(name + " failed (" + p.exitValue() + "): " + out);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    long[] ticks1 = cpuTicks();
    long steal = ticks1[2] - ticks0[2];
    long total = steal + ticks1[0] - ticks0[0] + ticks1[1] - ticks0[1];
    double stealPercent = total == 0 ? 0 : 100.0 * steal / total;
    String t = Files.readString(timeOut);
    Files.delete(timeOut);
    Matcher m = RSS.matcher(t);
    long rss = m.find() ? Long.parseLong(m.group(1)) : -1;
    System.out.printf(
        Locale.ROOT,
        "  %-40s %8.2f s %8.1f MiB   steal %4.1f%%   (busy before: %.0f%%)%n",
        name,
        secs,
        rss / 1024.0,
        stealPercent,
        busy);
    return new Sample(secs, rss, stealPercent);
  }

  /**
   * Reads a file through the page cache, untimed, so that every tool starts with its input cached
   * (as a checkpoint the kubelet has just written is). Without it the results depend on which files
   * the kernel's memory reclaim has evicted meanwhile: on the development VM, DAMON-based reclaim
   * evicts files not read for a minute, and a run that reads the archive from disk took 6.8 s
   * instead of 4.5. The read is not part of any measurement.
   */
  static void cache(Path file) throws IOException, InterruptedException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("nothing to cache at " + file);
    }
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      while (in.read(buf) >= 0) {
        // read through
      }
    }
    // And write back what earlier runs left dirty (their uploads, the server's copies), so that
    // the kernel's write-back does not throttle whichever tool runs next.
    Process sync = new ProcessBuilder("sync").inheritIO().start();
    if (!sync.waitFor(300, TimeUnit.SECONDS) || sync.exitValue() != 0) {
      throw new IllegalStateException("sync failed");
    }
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
