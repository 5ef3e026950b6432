package dev.stasis.storage;

import dev.stasis.storage.codec.FrameCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A decompressed frame of a download, read by the writer and by the hasher: after both, its buffer
 * goes back to its pool and its frame slot is freed. Held in a byte array, or (zstd into a file) in
 * a direct buffer that the hasher and the file channel read without copying it.
 */
final class DecodedChunk {
  private final byte[] array;
  private final ByteBuffer direct;
  private final int length;
  private final Runnable releaseBuffer;
  private final Semaphore frameSlots;
  private final AtomicInteger readers = new AtomicInteger(2);

  private DecodedChunk(
      byte[] array, ByteBuffer direct, int length, Runnable releaseBuffer, Semaphore frameSlots) {
    this.array = array;
    this.direct = direct;
    this.length = length;
    this.releaseBuffer = releaseBuffer;
    this.frameSlots = frameSlots;
  }

  /** {@code length} bytes in {@code array}; {@code releaseBuffer} gives the array back. */
  static DecodedChunk inArray(
      byte[] array, int length, Runnable releaseBuffer, Semaphore frameSlots) {
    return new DecodedChunk(array, null, length, releaseBuffer, frameSlots);
  }

  /** {@code length} bytes in {@code direct}, from its start. */
  static DecodedChunk inDirect(
      ByteBuffer direct, int length, Runnable releaseBuffer, Semaphore frameSlots) {
    return new DecodedChunk(null, direct, length, releaseBuffer, frameSlots);
  }

  int length() {
    return length;
  }

  /** The array the bytes are in (not for a chunk in a direct buffer). */
  byte[] array() {
    return array;
  }

  /** A view of the data with its own position and limit (each reader takes one). */
  ByteBuffer view() {
    return direct != null
        ? direct.duplicate().position(0).limit(length)
        : ByteBuffer.wrap(array, 0, length);
  }

  /** Decompresses the frame {@code src[0, srcLength)} into this chunk's buffer. */
  void decompress(FrameCodec codec, byte[] src, int srcLength) throws IOException {
    if (direct != null) {
      codec.decompress(src, srcLength, direct, length);
    } else {
      codec.decompress(src, srcLength, array, length);
    }
  }

  void hashInto(MessageDigest digest) {
    if (direct != null) {
      digest.update(view());
    } else {
      digest.update(array, 0, length);
    }
  }

  /** Gives the buffer back before the chunk was handed on (its frame failed to decompress). */
  void discard() {
    releaseBuffer.run();
  }

  /** One reader is done with it; the last one gives the buffer and the frame slot back. */
  void done() {
    if (readers.decrementAndGet() == 0) {
      releaseBuffer.run();
      frameSlots.release();
    }
  }
}
