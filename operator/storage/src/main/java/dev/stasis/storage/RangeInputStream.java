package dev.stasis.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * The stored object as a sequential stream, fetched ahead as parallel ranged reads ({@code window}
 * ranges in flight). Hashes what it hands out, so the SHA-256 of the stored bytes is known once the
 * stream has been read to its end. Each fetched range is hashed in one call once it has been handed
 * out (not per read: the frame parser reads headers byte by byte, and a native digest pays a JNI
 * call and a copy of the array per update).
 */
final class RangeInputStream extends InputStream {
  private record Chunk(byte[] buf, int length) {}

  private final ObjectReader reader;
  private final long size;
  private final int chunkSize;
  private final int window;
  private final ExecutorService io;
  private final BufferPool pool;
  private final BooleanSupplier cancelled;
  private final MessageDigest digest;
  private final ArrayDeque<Future<Chunk>> ahead = new ArrayDeque<>();
  private long nextOffset;
  private long position;
  private Chunk current;
  private int currentPos;
  private int hashedPos;

  RangeInputStream(
      ObjectReader reader,
      int chunkSize,
      int window,
      ExecutorService io,
      BooleanSupplier cancelled,
      boolean hash) {
    this.reader = reader;
    this.digest = hash ? Hashes.sha256() : null;
    this.size = reader.info().size();
    this.chunkSize = chunkSize;
    this.window = window;
    this.io = io;
    this.cancelled = cancelled;
    this.pool = new BufferPool(chunkSize, window + 1);
  }

  long position() {
    return position;
  }

  /**
   * SHA-256 of the bytes handed out so far (call once, at the end), or null if this stream was made
   * not to hash.
   */
  byte[] digest() {
    if (digest == null) {
      return null;
    }
    hashUpTo(currentPos);
    return digest.digest();
  }

  private void hashUpTo(int pos) {
    if (digest != null && current != null && pos > hashedPos) {
      digest.update(current.buf(), hashedPos, pos - hashedPos);
      hashedPos = pos;
    }
  }

  private void fill() throws IOException {
    while (ahead.size() < window && nextOffset < size) {
      long off = nextOffset;
      int len = (int) Math.min(chunkSize, size - off);
      nextOffset += len;
      byte[] buf = pool.acquire(cancelled);
      ahead.add(
          io.submit(
              () -> {
                try {
                  reader.readFully(off, buf, 0, len);
                  return new Chunk(buf, len);
                } catch (Throwable t) {
                  pool.release(buf);
                  throw t;
                }
              }));
    }
  }

  /** Makes {@link #current} a chunk with bytes left, or returns false at the end. */
  private boolean advance() throws IOException {
    if (current != null && currentPos < current.length()) {
      return true;
    }
    if (current != null) {
      hashUpTo(currentPos);
      pool.release(current.buf());
      current = null;
    }
    fill();
    Future<Chunk> f = ahead.poll();
    if (f == null) {
      return false;
    }
    try {
      current = f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (ExecutionException e) {
      throw Pipeline.asIoException(e);
    }
    currentPos = 0;
    hashedPos = 0;
    fill();
    return true;
  }

  @Override
  public int read() throws IOException {
    if (!advance()) {
      return -1;
    }
    byte b = current.buf()[currentPos++];
    position++;
    return b & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!advance()) {
      return -1;
    }
    int n = Math.min(len, current.length() - currentPos);
    System.arraycopy(current.buf(), currentPos, b, off, n);
    currentPos += n;
    position += n;
    return n;
  }

  @Override
  public void close() {
    for (Future<Chunk> f : ahead) {
      f.cancel(true);
    }
    ahead.clear();
  }
}
