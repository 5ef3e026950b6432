package dev.stasis.storage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.testsupport.time.SettableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  static final long MIB = 1024 * 1024;

  final SettableClock clock = new SettableClock(Instant.parse("2026-12-04T18:00:00Z"));
  final StringWriter written = new StringWriter();

  ProgressBar bar(int width) {
    return new ProgressBar(new PrintWriter(written), width, clock);
  }

  @Test
  void rateAndEtaComeFromTheBytesOfTheLastSeconds() {
    ProgressBar bar = bar(100);
    bar.label("checkpoint/web-1 Uploading");
    bar.progress(0, 100 * MIB);
    clock.advance(Duration.ofSeconds(2));
    bar.progress(20 * MIB, 100 * MIB);
    // 20 MiB in 2 s: 10 MiB/s; 80 MiB left: 8 s.
    String line = bar.render();
    assertThat(line)
        .startsWith("checkpoint/web-1 Uploading  [===>")
        .endsWith(" 20%  20.0 MiB / 100.0 MiB  10.0 MiB/s  ETA 0:08");
    assertThat(line).hasSize(99);
    assertThat(line.substring(line.indexOf('['), line.indexOf(']') + 1))
        .as("20% of the bar's 19 cells, rounded down")
        .matches("\\[={3}> {15}\\]");
  }

  @Test
  void aStallShowsAsAFallingRateOnceItsBytesLeaveTheWindow() {
    ProgressBar bar = bar(120);
    bar.progress(0, 1000 * MIB);
    clock.advance(Duration.ofSeconds(1));
    bar.progress(100 * MIB, 1000 * MIB);
    assertThat(bar.render()).contains("100.0 MiB/s  ETA 0:09");
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(1));
      bar.progress(100 * MIB, 1000 * MIB);
    }
    // Nothing moved in the last 5 s: the window's rate is zero and the ETA unknown.
    assertThat(bar.render()).endsWith(" 10%  100.0 MiB / 1000.0 MiB  0 B/s  ETA --:--");
  }

  @Test
  void longTransfersShowHoursAndUnknownTotalsShowNoBar() {
    ProgressBar bar = bar(80);
    bar.progress(0, 10L * 1024 * MIB);
    clock.advance(Duration.ofSeconds(1));
    bar.progress(MIB, 10L * 1024 * MIB);
    assertThat(bar.render()).endsWith("  1.0 MiB/s  ETA 2:50:39");

    ProgressBar unknown = bar(80);
    assertThat(unknown.render()).isEmpty();
    unknown.progress(0, -1);
    assertThat(unknown.render()).isEqualTo("0 B  --");
    clock.advance(Duration.ofMillis(500));
    unknown.progress(512 * 1024, -1);
    assertThat(unknown.render()).isEqualTo("512.0 KiB  1.0 MiB/s").doesNotContain("[", "ETA", "%");
  }

  @Test
  void theLineFitsTheTerminalDroppingTheBarFirst() {
    for (int width : new int[] {40, 60, 80, 200}) {
      ProgressBar bar = bar(width);
      bar.label("restore/counter-restore-x7k2p Downloading");
      bar.progress(0, 3 * MIB);
      clock.advance(Duration.ofSeconds(1));
      bar.progress(MIB, 3 * MIB);
      String line = bar.render();
      assertThat(line.length()).as("width %d: %s", width, line).isLessThan(width);
      if (width >= 60) {
        // The numbers stay whole; the label gives way first, then the bar.
        assertThat(line).contains(" 33%  1.0 MiB / 3.0 MiB  1.0 MiB/s  ETA 0:02");
      }
      if (width == 60) {
        assertThat(line).startsWith("restore/co...  ").doesNotContain("[");
      }
      if (width == 200) {
        assertThat(line).startsWith("restore/counter-restore-x7k2p Downloading  [===");
      }
    }
    assertThat(ProgressBar.terminalWidth(Map.of("COLUMNS", "132"))).isEqualTo(132);
    assertThat(ProgressBar.terminalWidth(Map.of("COLUMNS", "wide"))).isEqualTo(80);
    assertThat(ProgressBar.terminalWidth(Map.of())).isEqualTo(80);
  }

  @Test
  void redrawsInPlaceAtMostFiveTimesASecondAndEndsTheLine() {
    ProgressBar bar = bar(80);
    bar.progress(0, 100);
    for (int i = 1; i <= 10; i++) {
      clock.advance(Duration.ofMillis(50));
      bar.progress(i, 100);
    }
    bar.finish();
    String s = written.toString();
    // The first sample, then every 200 ms of the 500 ms (at 200 and 400), then the final draw.
    assertThat(s.chars().filter(c -> c == '\r').count()).isEqualTo(4);
    assertThat(s).endsWith(System.lineSeparator()).contains("10 B / 100 B");
    assertThat(s.substring(s.lastIndexOf('\r'))).contains(" 10%");
  }

  @Test
  void updateDrawsTheNewLabelWithTheNewFiguresAtOnce() {
    ProgressBar bar = bar(100);
    bar.update("web-1 Checkpointing 0:00", 0, 200);
    clock.advance(Duration.ofMillis(50));
    bar.update("web-1 Uploading 0:00", 100, 200);
    String s = written.toString();
    assertThat(s.split("\r")).hasSize(3);
    assertThat(s.substring(s.lastIndexOf('\r')))
        .startsWith("\rweb-1 Uploading 0:00  [")
        .contains(" 50%  100 B / 200 B  2.0 KiB/s  ETA 0:00");
  }

  @Test
  void aShorterLinePaintsOverTheRestOfTheLongerOne() {
    ProgressBar bar = bar(80);
    bar.label("a long label for the first state");
    bar.label("short");
    String s = written.toString();
    String second = s.substring(s.lastIndexOf('\r') + 1);
    String first = s.substring(1, s.lastIndexOf('\r'));
    assertThat(second).startsWith("short").hasSize(first.length());
    assertThat(second.strip()).as("no bytes yet: the label alone").isEqualTo("short");
  }

  @Test
  void sizesInBinaryUnits() {
    assertThat(ProgressBar.bytes(0)).isEqualTo("0 B");
    assertThat(ProgressBar.bytes(1023)).isEqualTo("1023 B");
    assertThat(ProgressBar.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(ProgressBar.bytes(3L * 1024 * MIB)).isEqualTo("3.0 GiB");
    assertThat(ProgressBar.duration(59)).isEqualTo("0:59");
    assertThat(ProgressBar.duration(3600 + 61)).isEqualTo("1:01:01");
  }
}
