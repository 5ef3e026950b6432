package dev.stasis.storage;

import java.nio.ByteBuffer;

/** A {@link Pool} of direct buffers of one size. */
final class DirectBufferPool extends Pool<ByteBuffer> {
  DirectBufferPool(int size, int count) {
    super(count, () -> ByteBuffer.allocateDirect(size));
  }
}
