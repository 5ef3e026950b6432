package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stasis.storage.cli.StorageCli;
import dev.stasis.storage.cli.StoreOptions;
import dev.stasis.testsupport.s3.S3Server;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line against S3Proxy, and what it wrote read back with the standard tools: {@code aws
 * s3 cp}, {@code zstd -d} / {@code lz4 -d} / {@code gzip -d}, {@code sha256sum}.
 */
class CliInteropTest {
  static S3Server server;
  static String bucket;
  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    server = S3Server.start();
    bucket = S3Fixture.newBucket(server);
    StoreOptions.environment = server.awsEnvironment();
  }

  @AfterAll
  static void stop() {
    StoreOptions.environment = System.getenv();
    server.close();
  }

  record Run(int code, String out, String err) {}

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = StorageCli.commandLine(new StorageCli());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  static String sh(Path dir, Map<String, String> env, String command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(dir.toFile());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s%n%s", command, out).isZero();
    return out;
  }

  @Test
  void cpUpAndDownWithEveryCompression() throws Exception {
    byte[] archive = S3Fixture.archive(12 * 1024 * 1024, 31);
    Path src = tmp.resolve("archive.tar");
    Files.write(src, archive);
    for (String ext : new String[] {".tar.zst", ".tar.lz4", ".tar.gz", ".tar"}) {
      String uri = "s3://" + bucket + "/cli/archive" + ext;
      Run up = cli("cp", src.toString(), uri, "--part-size", "5MiB");
      assertThat(up.code()).as(up.err()).isZero();
      assertThat(up.out()).contains(uri).contains(Hashes.sha256Hex(archive));
      Path back = tmp.resolve("back" + ext + ".tar");
      Run down = cli("cp", uri, back.toString(), "--sha256", Hashes.sha256Hex(archive));
      assertThat(down.code()).as(down.err()).isZero();
      assertThat(Files.readAllBytes(back)).isEqualTo(archive);
    }
    Run ls = cli("ls", "s3://" + bucket + "/cli");
    assertThat(ls.out()).contains("/cli/archive.tar.zst").contains("/cli/archive.tar.gz");
    Run verify = cli("verify", "s3://" + bucket + "/cli/archive.tar.lz4");
    assertThat(verify.code()).as(verify.err()).isZero();
    assertThat(verify.out()).startsWith("OK ").contains("trailer");
    Run rm = cli("rm", "s3://" + bucket + "/cli/archive.tar.gz");
    assertThat(rm.code()).isZero();
    assertThat(cli("ls", "s3://" + bucket + "/cli").out()).doesNotContain("archive.tar.gz");
  }

  @Test
  void errorsAreOneLineAndNonZero() {
    Run missing = cli("cp", "s3://" + bucket + "/nope.tar.zst", tmp.resolve("x").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err().strip())
        .startsWith("stasis: ")
        .doesNotContain("\n")
        .contains("nope.tar.zst");
    assertThat(tmp.resolve("x")).doesNotExist();

    Run badScheme = cli("ls", "ftp://x/y");
    assertThat(badScheme.code()).isEqualTo(1);
    assertThat(badScheme.err().strip())
        .isEqualTo("stasis: unknown scheme 'ftp' in 'ftp://x/y' (use s3, gs, file or stasis)");

    Run usage = cli("cp", "only-one-arg");
    assertThat(usage.code()).isEqualTo(2);
    assertThat(usage.err().strip()).startsWith("stasis: ").doesNotContain("\n");

    Map<String, String> saved = StoreOptions.environment;
    try {
      Map<String, String> wrong = new java.util.HashMap<>(server.awsEnvironment());
      wrong.put("AWS_SECRET_ACCESS_KEY", "wrong");
      StoreOptions.environment = wrong;
      Run denied = cli("ls", "s3://" + bucket + "/");
      assertThat(denied.code()).isEqualTo(1);
      assertThat(denied.err()).contains("403");
    } finally {
      StoreOptions.environment = saved;
    }
  }

  @Test
  void helpOnEveryCommand() {
    for (String c : new String[] {"cp", "ls", "verify", "rm"}) {
      Run r = cli(c, "--help");
      assertThat(r.code()).isZero();
      assertThat(r.out()).contains("Usage:").contains(c).contains("--endpoint");
    }
    assertThat(cli("--help").out()).contains("cp").contains("verify");
  }

  @Test
  void checkpointVerifyLsAndRmThroughTheCli() throws Exception {
    try (var store = S3Fixture.store(server, bucket)) {
      CheckpointRepository repo =
          new CheckpointRepository(new StorageLocation(store, "ck"), S3Fixture.smallParts());
      CheckpointId id = new CheckpointId("team", "job-0", "daily", "abcdabcd-0000");
      S3StoreTest.write(repo, id, java.time.Instant.now(), S3Fixture.archive(2 * 1024 * 1024, 4));
      Run ls = cli("ls", "s3://" + bucket + "/ck", "--namespace", "team");
      assertThat(ls.out())
          .contains("job-0/daily")
          .contains("s3://" + bucket + "/ck/team/job-0/daily-abcdabcd");
      Run v = cli("verify", "s3://" + bucket + "/ck/team/job-0/daily-abcdabcd");
      assertThat(v.code()).as(v.err()).isZero();
      assertThat(v.out()).contains("app.tar.zst").contains("sidecar.tar.zst");
      assertThat(cli("rm", "s3://" + bucket + "/ck/team/job-0/daily-abcdabcd").code()).isZero();
      assertThat(repo.list("team")).isEmpty();
    }
  }

  @Test
  void standardToolsReadWhatStasisWrote() throws Exception {
    assumeTrue(
        onPath("aws"), "aws CLI not on PATH: interop check skipped (apt-get install awscli)");
    assumeTrue(onPath("zstd"), "zstd not on PATH: interop check skipped (apt-get install zstd)");
    byte[] archive = S3Fixture.archive(12 * 1024 * 1024, 41);
    Path src = tmp.resolve("src.tar");
    Files.write(src, archive);
    List<String> checks = new ArrayList<>();
    checks.add(".tar.zst|zstd -d -q -o out.tar");
    if (onPath("lz4")) {
      checks.add(".tar.lz4|lz4 -d -q got.tar.lz4 out.tar");
    }
    checks.add(".tar.gz|gzip -d -c got.tar.gz > out.tar");
    Map<String, String> env = server.awsEnvironment();
    for (String c : checks) {
      String ext = c.substring(0, c.indexOf('|'));
      String decompress = c.substring(c.indexOf('|') + 1);
      String uri = "s3://" + bucket + "/interop/src" + ext;
      Run up = cli("cp", src.toString(), uri, "--part-size", "5MiB");
      assertThat(up.code()).as(up.err()).isZero();
      Path work = Files.createDirectory(tmp.resolve("w" + ext.replace('.', '-')));
      sh(
          work,
          env,
          "aws s3 cp --only-show-errors --endpoint-url "
              + server.endpoint()
              + " "
              + uri
              + " got"
              + ext);
      if (ext.equals(".tar.zst")) {
        decompress = "zstd -d -q got.tar.zst -o out.tar";
      }
      sh(work, env, decompress);
      String sum = sh(work, env, "sha256sum out.tar").split(" ")[0];
      assertThat(sum).as(ext).isEqualTo(Hashes.sha256Hex(archive));
    }
  }

  /**
   * The command as a launcher starts it (docs/storage.md, "Running the command line"): its own JVM
   * with a 128 MiB heap and 32 MiB of direct memory. Up and down, through S3 and a directory, with
   * parts larger than the direct memory each upload thread may hold.
   */
  @Test
  void cpRunsInTheDocumentedSmallJvm() throws Exception {
    byte[] archive = S3Fixture.archive(40 * 1024 * 1024, 43);
    Path src = tmp.resolve("src.tar");
    Files.write(src, archive);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jvm =
        java
            + " -Xms128m -Xmx128m -Xmn16m -XX:PretenureSizeThreshold=512k -XX:+UseSerialGC"
            + " -XX:MaxDirectMemorySize=32m -cp "
            + System.getProperty("java.class.path")
            + " dev.stasis.storage.cli.StorageCli cp --quiet --part-size 16MiB --concurrency 4 ";
    Path dirStore = Files.createDirectory(tmp.resolve("store"));
    for (String uri :
        List.of(
            "s3://" + bucket + "/small-jvm/src.tar.zst", "file://" + dirStore + "/src.tar.zst")) {
      Path out = tmp.resolve("out.tar");
      sh(tmp, server.awsEnvironment(), jvm + src + " " + uri);
      sh(tmp, server.awsEnvironment(), jvm + uri + " " + out);
      assertThat(Hashes.sha256Hex(Files.readAllBytes(out)))
          .as(uri)
          .isEqualTo(Hashes.sha256Hex(archive));
      Files.delete(out);
    }
  }
}
