package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.storage.CliInteropTest.Run;
import dev.stasis.storage.cli.ProgressBar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cp}'s progress bar: on stderr when asked for (or on a terminal), never when the output is
 * piped, as it is under the test runner (no console), and never on stdout, which keeps the result.
 */
class CpProgressTest {
  static final int SIZE = 6 * 1024 * 1024 + 123;

  @TempDir Path tmp;

  Path archive() throws Exception {
    byte[] data = new byte[SIZE];
    new Random(7).nextBytes(data);
    return Files.write(tmp.resolve("archive.tar"), data);
  }

  @Test
  void piped_noProgressByDefault() throws Exception {
    assertThat(System.console()).as("the test runner's output is a pipe").isNull();
    Path src = archive();
    String uri = tmp.toUri() + "store/a.tar.zst";
    Run up = CliInteropTest.cli("cp", src.toString(), uri);
    assertThat(up.code()).as(up.err()).isZero();
    assertThat(up.err()).isEmpty();
    assertThat(up.out()).contains(SIZE + " bytes").doesNotContain("\r");

    Run down = CliInteropTest.cli("cp", uri, tmp.resolve("back.tar").toString());
    assertThat(down.code()).as(down.err()).isZero();
    assertThat(down.err()).isEmpty();
    assertThat(Files.mismatch(src, tmp.resolve("back.tar"))).isEqualTo(-1);
  }

  @Test
  void progressAlways_drawsTheBarOnStderrUpAndDown() throws Exception {
    Path src = archive();
    String uri = tmp.toUri() + "store/b.tar.zst";
    Run up = CliInteropTest.cli("cp", "--progress", "always", src.toString(), uri);
    assertThat(up.code()).as(up.err()).isZero();
    String total = ProgressBar.bytes(SIZE);
    assertThat(up.err())
        .startsWith("\r")
        .endsWith(System.lineSeparator())
        .contains("100%  " + total + " / " + total, "ETA 0:00");
    assertThat(up.out()).doesNotContain("\r", "%");

    Run down =
        CliInteropTest.cli("cp", "--progress=always", uri, tmp.resolve("back.tar").toString());
    assertThat(down.code()).as(down.err()).isZero();
    assertThat(down.err()).startsWith("\r").contains(total);
    assertThat(Files.mismatch(src, tmp.resolve("back.tar"))).isEqualTo(-1);

    Run never =
        CliInteropTest.cli(
            "cp", "--progress", "never", src.toString(), tmp.toUri() + "store/c.tar");
    assertThat(never.code()).isZero();
    assertThat(never.err()).isEmpty();

    Run bad =
        CliInteropTest.cli(
            "cp", "--progress", "sometimes", src.toString(), tmp.toUri() + "store/d.tar");
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("--progress must be auto, always or never");
  }
}
