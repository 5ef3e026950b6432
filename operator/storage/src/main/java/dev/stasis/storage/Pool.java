package dev.stasis.storage;

import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A fixed number of equal buffers, handed out and taken back. Allocated lazily, never more than
 * {@code count}: this is what bounds a transfer's memory, and blocking in {@link #acquire} is the
 * back-pressure between pipeline stages.
 */
class Pool<T> {
  private final BlockingQueue<T> free;
  private final int count;
  private final Supplier<T> allocate;
  private int created;

  Pool(int count, Supplier<T> allocate) {
    this.count = count;
    this.allocate = allocate;
    this.free = new ArrayBlockingQueue<>(count);
  }

  /** Takes a buffer, waiting while all are in use; gives up once {@code cancelled} says so. */
  final T acquire(BooleanSupplier cancelled) throws InterruptedIOException {
    T b = free.poll();
    if (b != null) {
      return b;
    }
    synchronized (this) {
      if (created < count) {
        created++;
        return allocate.get();
      }
    }
    try {
      while (true) {
        b = free.poll(100, TimeUnit.MILLISECONDS);
        if (b != null) {
          return b;
        }
        if (cancelled.getAsBoolean()) {
          throw new InterruptedIOException("transfer cancelled");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
  }

  /** Gives a buffer back. */
  void release(T b) {
    if (b != null) {
      free.offer(b);
    }
  }

  /**
   * One buffer the pool handed out is gone for good: the pool may allocate another in its place.
   */
  final synchronized void forget() {
    created--;
  }
}
