package dev.stasis.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our own retry loop around one unit of work (a part, a ranged read), on top of the SDKs' request
 * retries: it also covers failures the SDKs cannot retry, such as a connection dropped while a
 * response body is being read. Exponential backoff with full jitter.
 */
public final class Retry {
  private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

  /** An action that may fail with an IOException. */
  @FunctionalInterface
  public interface IoAction<T> {
    T run() throws IOException;
  }

  private final int maxAttempts;
  private final long baseDelayMillis;
  private final long maxDelayMillis;

  public Retry(int maxAttempts, long baseDelayMillis, long maxDelayMillis) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    this.maxAttempts = maxAttempts;
    this.baseDelayMillis = baseDelayMillis;
    this.maxDelayMillis = maxDelayMillis;
  }

  public static Retry defaults() {
    return new Retry(4, 200, 5_000);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** Runs {@code action}, retrying while {@code retryable} says the failure is transient. */
  public <T> T call(String what, Predicate<IOException> retryable, IoAction<T> action)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return action.run();
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        if (attempt >= maxAttempts
            || !retryable.test(e)
            || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        long cap = Math.min(maxDelayMillis, baseDelayMillis << Math.min(attempt - 1, 20));
        long delay = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
        LOG.warn(
            "{} failed (attempt {} of {}), retrying in {} ms: {}",
            what,
            attempt,
            maxAttempts,
            delay,
            e.toString());
        try {
          Thread.sleep(delay);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          InterruptedIOException iie = new InterruptedIOException("interrupted while retrying");
          iie.addSuppressed(e);
          throw iie;
        }
      }
    }
  }

  /** The default test: {@link StorageException#isRetryable()}, and plain I/O errors are. */
  public static boolean isRetryable(IOException e) {
    if (e instanceof StorageException se) {
      return se.isRetryable();
    }
    return true;
  }
}
