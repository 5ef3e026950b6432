package dev.stasis.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the stages of one transfer's pipeline share: the first failure, which every stage checks to
 * stop and every wait gives up on, and the marker that ends the queues between them.
 */
final class Pipeline {
  /** The last item of a queue between stages. */
  static final Object END = new Object();

  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  boolean failed() {
    return failure.get() != null;
  }

  /** Records {@code t}, unless something failed before. */
  void fail(Throwable t) {
    failure.compareAndSet(null, t);
  }

  /** The first failure, or null. */
  Throwable failure() {
    return failure.get();
  }

  /**
   * Takes a permit of {@code s}, waiting while there is none; gives up once the pipeline failed.
   */
  void acquire(Semaphore s) throws InterruptedIOException {
    try {
      while (!s.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (failed()) {
          throw new InterruptedIOException("transfer cancelled");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }

  /**
   * The next item of {@code queue}, waiting for it: {@link #END} after the last, null once the
   * pipeline failed.
   */
  Object next(BlockingQueue<Object> queue) throws InterruptedException {
    while (true) {
      Object item = queue.poll(100, TimeUnit.MILLISECONDS);
      if (failed()) {
        return null;
      }
      if (item != null) {
        return item;
      }
    }
  }

  /** A stage's failure as the IOException the transfer throws. */
  static IOException asIoException(Throwable t) {
    if (t instanceof ExecutionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof IOException e) {
      return e;
    }
    if (t instanceof UncheckedIOException e) {
      return e.getCause();
    }
    return new StorageException(String.valueOf(t.getMessage()), false, t);
  }
}
