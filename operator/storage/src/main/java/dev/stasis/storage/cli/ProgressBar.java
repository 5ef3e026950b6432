package dev.stasis.storage.cli;

import dev.stasis.storage.ProgressListener;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;

/**
 * A one-line progress display for a terminal: label, bar, percent, bytes done of total, rate and
 * ETA, redrawn in place ({@code \r}) at most every {@link #REDRAW_MILLIS} ms and closed by {@link
 * #finish}. The rate is that of the last {@link #WINDOW_MILLIS} ms, so that a stall shows as a
 * falling rate rather than an average of the whole transfer. Bytes of unknown total show without
 * bar, percent and ETA. Used by {@code cp} and by {@code kubectl stasis ... --wait}; the clock is
 * injected so that rate and ETA can be tested.
 */
public final class ProgressBar implements ProgressListener {
  static final long REDRAW_MILLIS = 200;
  static final long WINDOW_MILLIS = 5_000;
  private static final int MIN_BAR = 10;

  private record Sample(long millis, long bytes) {}

  private final PrintWriter out;
  private final int width;
  private final Clock clock;
  private final ArrayDeque<Sample> window = new ArrayDeque<>();
  private String label = "";
  private long done;
  private long total = -1;
  private long lastDraw = Long.MIN_VALUE;
  private int lastLength;
  private boolean drawn;

  /**
   * @param out where the line goes (stderr, so that stdout stays the command's result)
   * @param width the terminal's columns; the line never exceeds {@code width - 1}
   * @param clock for the rate, the ETA and the redraw interval
   */
  public ProgressBar(PrintWriter out, int width, Clock clock) {
    this.out = out;
    this.width = Math.max(20, width);
    this.clock = clock;
  }

  /** A bar on stderr of this terminal ({@link #terminalWidth} columns), on the system clock. */
  public static ProgressBar onStderr() {
    return new ProgressBar(
        new PrintWriter(System.err, true), terminalWidth(System.getenv()), Clock.systemUTC());
  }

  /** The terminal's columns from {@code COLUMNS} (what shells export), else 80. */
  public static int terminalWidth(Map<String, String> env) {
    try {
      int c = Integer.parseInt(env.getOrDefault("COLUMNS", "").strip());
      return c > 0 ? c : 80;
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  /**
   * Whether stdout and stdin are a terminal: {@link System#console()} is null when either is
   * redirected (a pipe, a file), which is when nothing should be drawn.
   */
  public static boolean onTerminal() {
    return System.console() != null;
  }

  /**
   * Whether to draw, for a {@code --progress} value: {@code always}, {@code never}, or {@code auto}
   * (on a terminal only, see {@link #onTerminal}).
   */
  public static boolean shown(String when) {
    return switch (when.toLowerCase(Locale.ROOT)) {
      case "always" -> true;
      case "never" -> false;
      case "auto" -> onTerminal();
      default ->
          throw new IllegalArgumentException(
              "--progress must be auto, always or never, not '" + when + "'");
    };
  }

  /** What the line starts with, for example {@code checkpoint/web-1 Uploading}; redraws. */
  public synchronized void label(String label) {
    this.label = label == null ? "" : label;
    draw(true);
  }

  @Override
  public synchronized void progress(long bytesDone, long totalBytes) {
    record(bytesDone, totalBytes);
    draw(false);
  }

  /** A new label and new figures in one draw, for a display that polls (kubectl stasis --wait). */
  public synchronized void update(String label, long bytesDone, long totalBytes) {
    this.label = label == null ? "" : label;
    record(bytesDone, totalBytes);
    draw(true);
  }

  private void record(long bytesDone, long totalBytes) {
    long now = clock.millis();
    done = Math.max(0, bytesDone);
    total = totalBytes;
    window.addLast(new Sample(now, done));
    while (window.size() > 2 && now - window.peekFirst().millis() > WINDOW_MILLIS) {
      window.removeFirst();
    }
  }

  /** Draws the last state and ends the line; nothing if nothing was ever drawn. */
  public synchronized void finish() {
    if (drawn) {
      draw(true);
      out.println();
      out.flush();
    }
    drawn = false;
    lastLength = 0;
  }

  private void draw(boolean force) {
    long now = clock.millis();
    if (!force && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_MILLIS) {
      return;
    }
    lastDraw = now;
    String line = render();
    StringBuilder b = new StringBuilder("\r").append(line);
    for (int i = line.length(); i < lastLength; i++) {
      b.append(' ');
    }
    lastLength = line.length();
    drawn = true;
    out.print(b);
    out.flush();
  }

  /** The line as it would be drawn now (no {@code \r}). */
  synchronized String render() {
    if (window.isEmpty()) {
      return fit(label, width - 1);
    }
    double rate = rate();
    boolean known = total > 0;
    StringBuilder right = new StringBuilder();
    if (known) {
      right.append(String.format(Locale.ROOT, "%3d%%  ", percent()));
      right.append(bytes(done)).append(" / ").append(bytes(total));
    } else {
      right.append(bytes(done));
    }
    right.append("  ").append(rate < 0 ? "--" : bytes(Math.round(rate)) + "/s");
    if (known) {
      right.append("  ETA ").append(eta(rate));
    }
    int max = width - 1;
    String left = fit(label, max - right.length() - 2);
    int room = max - right.length() - (left.isEmpty() ? 0 : left.length() + 2) - 2;
    StringBuilder line = new StringBuilder();
    if (!left.isEmpty()) {
      line.append(left).append("  ");
    }
    if (known && room >= MIN_BAR + 2) {
      line.append(bar(room)).append("  ");
    }
    line.append(right);
    return line.length() <= max ? line.toString() : line.substring(0, max);
  }

  /** The label, shortened with {@code ...} to {@code room} characters, or empty if no room. */
  private static String fit(String label, int room) {
    if (label.length() <= room) {
      return label;
    }
    return room >= 8 ? label.substring(0, room - 3) + "..." : "";
  }

  private int percent() {
    return (int) Math.min(100, done * 100 / total);
  }

  private String bar(int room) {
    int cells = room - 2;
    int full = (int) Math.min(cells, done * cells / total);
    StringBuilder b = new StringBuilder("[");
    b.append("=".repeat(full));
    if (full < cells) {
      b.append('>').append(" ".repeat(cells - full - 1));
    }
    return b.append(']').toString();
  }

  /** Bytes per second over the window, or -1 while it spans no time. */
  double rate() {
    if (window.size() < 2) {
      return -1;
    }
    Sample first = window.peekFirst();
    Sample last = window.peekLast();
    long millis = last.millis() - first.millis();
    if (millis <= 0) {
      return -1;
    }
    return (last.bytes() - first.bytes()) * 1000.0 / millis;
  }

  private String eta(double rate) {
    if (done >= total) {
      return "0:00";
    }
    if (rate <= 0) {
      return "--:--";
    }
    return duration(Math.round((total - done) / rate));
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
  public static String duration(long seconds) {
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
        : String.format(Locale.ROOT, "%d:%02d", m, s);
  }

  /** Binary units with one decimal: {@code 512 B}, {@code 1.5 KiB}, {@code 3.0 GiB}. */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
