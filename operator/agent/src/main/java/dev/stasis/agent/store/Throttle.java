package dev.stasis.agent.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A bandwidth limit shared by every job on the node (STASIS_BANDWIDTH_LIMIT): archive bytes read
 * per second. A token bucket holding at most one second's worth.
 */
public final class Throttle {
  private final long bytesPerSecond;
  private double tokens;
  private long last = System.nanoTime();

  public Throttle(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
    this.tokens = bytesPerSecond;
  }

  /** No limit. */
  public static Throttle none() {
    return new Throttle(0);
  }

  public boolean limited() {
    return bytesPerSecond > 0;
  }

  /** Blocks until {@code n} bytes may pass. */
  public void acquire(long n) throws InterruptedIOException {
    if (bytesPerSecond <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = System.nanoTime();
      tokens = Math.min(bytesPerSecond, tokens + (now - last) * bytesPerSecond / 1e9);
      last = now;
      tokens -= n;
      waitNanos = tokens >= 0 ? 0 : (long) (-tokens * 1e9 / bytesPerSecond);
    }
    if (waitNanos > 0) {
      try {
        Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while throttled");
      }
    }
  }

  /** {@code in}, read no faster than the limit. */
  public InputStream wrap(InputStream in) {
    if (bytesPerSecond <= 0) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        acquire(1);
        return super.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, (int) Math.min(len, Math.max(4096, bytesPerSecond / 10)));
        if (n > 0) {
          acquire(n);
        }
        return n;
      }
    };
  }
}
