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

  /** A replicated store of two S3 buckets and a directory, as kubectl prints them. */
  String storagesYaml(String bucketA, String bucketB, Path dir, boolean withSecret) {
    Map<String, String> env = server.awsEnvironment();
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
    String s3 =
        """
          - apiVersion: stasis.dev/v1alpha1
            kind: CheckpointStorage
            metadata: {name: %s}
            spec:
              s3:
                bucket: %s
                endpoint: %s
                region: us-east-1
                forcePathStyle: true
                credentialsSecret: {name: s3-creds}
        """;
    String yaml =
        "apiVersion: v1\nkind: List\nitems:\n"
            + String.format(s3, "s3-a", bucketA, env.get("AWS_ENDPOINT_URL"))
            + String.format(s3, "s3-b", bucketB, env.get("AWS_ENDPOINT_URL"))
            + String.format(
                """
                  - apiVersion: stasis.dev/v1alpha1
                    kind: CheckpointStorage
                    metadata: {name: local}
                    spec:
                      filesystem: {path: %s}
                  - apiVersion: stasis.dev/v1alpha1
                    kind: CheckpointStorage
                    metadata: {name: global}
                    spec:
                      replicated: {members: [s3-a, s3-b, local], writeQuorum: 2}
                """,
                dir);
    if (withSecret) {
      yaml +=
          String.format(
              """
                - apiVersion: v1
                  kind: Secret
                  metadata: {name: s3-creds}
                  data:
                    AWS_ACCESS_KEY_ID: %s
                    AWS_SECRET_ACCESS_KEY: %s
              """,
              b64.encodeToString(env.get("AWS_ACCESS_KEY_ID").getBytes(StandardCharsets.UTF_8)),
              b64.encodeToString(
                  env.get("AWS_SECRET_ACCESS_KEY").getBytes(StandardCharsets.UTF_8)));
    }
    return yaml;
  }

  @Test
  void stasisUrisOpenWithAStoragesFile() throws Exception {
    String bucketB = S3Fixture.newBucket(server);
    Path local = Files.createDirectories(tmp.resolve("local"));
    Path storages = tmp.resolve("storages.yaml");
    Files.writeString(storages, storagesYaml(bucket, bucketB, local, true));
    byte[] archive = S3Fixture.archive(9 * 1024 * 1024, 77);
    Path src = tmp.resolve("archive.tar");
    Files.write(src, archive);
    String sha = Hashes.sha256Hex(archive);

    Run up =
        cli(
            "cp",
            src.toString(),
            "stasis://global/repl/archive.tar.zst",
            "--storages",
            "" + storages);
    assertThat(up.code()).as(up.err()).isZero();
    assertThat(up.out()).contains("stasis://global/repl/archive.tar.zst").contains(sha);
    for (String b : new String[] {bucket, bucketB}) {
      try (var store = S3Fixture.store(server, b)) {
        assertThat(store.stat("repl/archive.tar.zst")).as("copy in %s", b).isPresent();
      }
    }
    assertThat(local.resolve("repl/archive.tar.zst")).isRegularFile();

    Path back = tmp.resolve("back.tar");
    Run down =
        cli(
            "cp",
            "stasis://global/repl/archive.tar.zst",
            back.toString(),
            "--sha256",
            sha,
            "--storages",
            storages.toString());
    assertThat(down.code()).as(down.err()).isZero();
    assertThat(Files.readAllBytes(back)).isEqualTo(archive);
    Run ls = cli("ls", "stasis://global/repl", "--storages", storages.toString());
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out()).contains("archive.tar.zst");

    Run noFile = cli("ls", "stasis://global/repl");
    assertThat(noFile.code()).isEqualTo(1);
    assertThat(noFile.err().strip()).doesNotContain("\n").contains("--storages FILE");

    Path noSecret = tmp.resolve("no-secret.yaml");
    Files.writeString(noSecret, storagesYaml(bucket, bucketB, local, false));
    Run missing = cli("ls", "stasis://global/repl", "--storages", noSecret.toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err().strip())
        .doesNotContain("\n")
        .contains("Secret s3-creds is not in --storages " + noSecret);

    Path other = tmp.resolve("other.yaml");
    Files.writeString(
        other,
        storagesYaml(bucket, bucketB, local, true)
            + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n");
    Run wrongKind = cli("ls", "stasis://global/repl", "--storages", other.toString());
    assertThat(wrongKind.code()).isEqualTo(1);
    assertThat(wrongKind.err())
        .contains("ConfigMap settings (document 2): only CheckpointStorage and Secret objects")
        .doesNotContain(server.awsEnvironment().get("AWS_SECRET_ACCESS_KEY"));
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
