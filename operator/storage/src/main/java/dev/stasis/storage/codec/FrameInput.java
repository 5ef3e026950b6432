package dev.stasis.storage.codec;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads one compressed frame at a time from a stream, keeping its bytes in a buffer so that the
 * frame can be handed whole to a decompression thread. Codecs parse just enough of the frame format
 * (headers and block lengths) to find where a frame ends.
 */
public final class FrameInput {
  private final InputStream in;
  private final int maxFrameBytes;
  private byte[] buf;
  private int len;
  private long offset;
  private long frameStart;

  public FrameInput(InputStream in, byte[] initialBuffer, int maxFrameBytes) {
    this.in = in;
    this.buf = initialBuffer;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Starts a new frame; the previous frame's bytes must have been taken with {@link #take}. */
  void begin() {
    len = 0;
    frameStart = offset;
  }

  /** Offset in the stream where the current frame began. */
  public long frameStart() {
    return frameStart;
  }

  /** The bytes of the current frame read so far. */
  public byte[] buffer() {
    return buf;
  }

  public int length() {
    return len;
  }

  /** Hands the buffer over (the caller keeps it) and continues with {@code replacement}. */
  public byte[] take(byte[] replacement) {
    byte[] b = buf;
    buf = replacement;
    len = 0;
    return b;
  }

  /** Reads the first byte of a frame, or returns -1 at a clean end of stream. */
  int firstByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      return -1;
    }
    append1(b);
    return b;
  }

  int u8() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("stream ends inside a frame at offset " + offset);
    }
    append1(b);
    return b;
  }

  int u16() throws IOException {
    return u8() | (u8() << 8);
  }

  int u24() throws IOException {
    return u8() | (u8() << 8) | (u8() << 16);
  }

  long u32() throws IOException {
    return (u16() & 0xFFFFL) | ((long) u16() << 16);
  }

  long u64() throws IOException {
    return (u32() & 0xFFFFFFFFL) | (u32() << 32);
  }

  long le(int bytes) throws IOException {
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v |= (long) u8() << (8 * i);
    }
    return v;
  }

  /** Copies the next {@code n} bytes of the frame. */
  void copy(long n) throws IOException {
    if (n < 0 || len + n > maxFrameBytes) {
      throw new NotSplittableException("frame larger than " + maxFrameBytes + " bytes");
    }
    ensure((int) (len + n));
    int remaining = (int) n;
    while (remaining > 0) {
      int r = in.read(buf, len, remaining);
      if (r < 0) {
        throw new EOFException("stream ends inside a frame at offset " + offset);
      }
      len += r;
      offset += r;
      remaining -= r;
    }
  }

  /** Reads up to {@code n} bytes (less only at the end of the stream). */
  int readUpTo(int n) throws IOException {
    ensure(len + n);
    int total = 0;
    while (total < n) {
      int r = in.read(buf, len, n - total);
      if (r < 0) {
        break;
      }
      len += r;
      offset += r;
      total += r;
    }
    return total;
  }

  private void append1(int b) {
    if (len + 1 > maxFrameBytes) {
      throw new NotSplittableException("frame larger than " + maxFrameBytes + " bytes");
    }
    ensure(len + 1);
    buf[len++] = (byte) b;
    offset++;
  }

  private void ensure(int capacity) {
    if (capacity > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(capacity, Math.min(maxFrameBytes, buf.length * 2)));
    }
  }

  /** The underlying stream, for falling back to sequential decoding. */
  InputStream stream() {
    return in;
  }
}
