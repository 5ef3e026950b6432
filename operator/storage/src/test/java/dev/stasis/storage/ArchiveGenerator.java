package dev.stasis.storage;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A deterministic stand-in for a checkpoint archive: 4 KiB pages that are, like process memory, a
 * mix of zero pages (about 35%), text-like data (about 40%: log lines, identifiers) and random data
 * (about 25%: compressed or encrypted buffers). Same size and seed, same bytes.
 */
public final class ArchiveGenerator extends InputStream {
  private static final int PAGE = 4096;
  private static final String[] WORDS =
      ("checkpoint restore container pod namespace kubelet runtime memory page heap stack thread"
              + " GET POST 200 404 /api/v1/namespaces default INFO WARN DEBUG request latency_ms"
              + " user_id session token=redacted {\"level\":\"info\",\"msg\":\"served\"} 127.0.0.1")
          .split(" ");

  private final long size;
  private final SplittableRandom random;
  private final byte[] page = new byte[PAGE];
  private long position;
  private int pagePos = PAGE;

  public ArchiveGenerator(long size, long seed) {
    this.size = size;
    this.random = new SplittableRandom(seed);
  }

  /** The whole archive in memory (small sizes only). */
  public static byte[] bytes(int size, long seed) {
    byte[] out = new byte[size];
    new ArchiveGenerator(size, seed).read(out, 0, size);
    return out;
  }

  private void nextPage() {
    int kind = random.nextInt(100);
    if (kind < 35) {
      java.util.Arrays.fill(page, (byte) 0);
    } else if (kind < 75) {
      int p = 0;
      while (p < PAGE) {
        byte[] w = WORDS[random.nextInt(WORDS.length)].getBytes(StandardCharsets.US_ASCII);
        int n = Math.min(w.length, PAGE - p);
        System.arraycopy(w, 0, page, p, n);
        p += n;
        if (p < PAGE) {
          page[p++] = (byte) (random.nextInt(8) == 0 ? '\n' : ' ');
        }
        if (p < PAGE - 8 && random.nextInt(4) == 0) {
          long v = random.nextLong(1_000_000_000L);
          byte[] d = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
          int m = Math.min(d.length, PAGE - p);
          System.arraycopy(d, 0, page, p, m);
          p += m;
        }
      }
    } else {
      for (int i = 0; i < PAGE; i += 8) {
        long v = random.nextLong();
        for (int j = 0; j < 8; j++) {
          page[i + j] = (byte) (v >>> (8 * j));
        }
      }
    }
    pagePos = 0;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (position >= size) {
      return -1;
    }
    int total = 0;
    while (total < len && position < size) {
      if (pagePos == PAGE) {
        nextPage();
      }
      int n = (int) Math.min(Math.min(len - total, PAGE - pagePos), size - position);
      System.arraycopy(page, pagePos, b, off + total, n);
      pagePos += n;
      position += n;
      total += n;
    }
    return total;
  }

  @Override
  public void close() {}
}
