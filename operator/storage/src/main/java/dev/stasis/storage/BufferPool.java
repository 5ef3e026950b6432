package dev.stasis.storage;

import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A fixed number of equal byte arrays, handed out and taken back. Allocated lazily, never more than
 * {@code count}: this is what bounds a transfer's memory, and blocking in {@link #acquire} is the
 * back-pressure between pipeline stages.
 */
final class BufferPool {
  private final int size;
  private final BlockingQueue<byte[]> free;
  private int created;
  private final int count;

  BufferPool(int size, int count) {
    this.size = size;
    this.count = count;
    this.free = new ArrayBlockingQueue<>(count);
  }

  int bufferSize() {
    return size;
  }

  /** Takes a buffer, waiting while all are in use; gives up once {@code cancelled} says so. */
  byte[] acquire(BooleanSupplier cancelled) throws InterruptedIOException {
    byte[] b = free.poll();
    if (b != null) {
      return b;
    }
    synchronized (this) {
      if (created < count) {
        created++;
        return new byte[size];
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

  /**
   * Gives a buffer back. A buffer of another size stands for a pooled one its holder replaced (a
   * frame that outgrew it): the pool may then allocate a new one in its place.
   */
  void release(byte[] b) {
    if (b == null) {
      return;
    }
    if (b.length == size) {
      free.offer(b);
    } else {
      synchronized (this) {
        created--;
      }
    }
  }
}
