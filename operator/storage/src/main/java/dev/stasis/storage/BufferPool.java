package dev.stasis.storage;

/** A {@link Pool} of byte arrays of one size. */
final class BufferPool extends Pool<byte[]> {
  private final int size;

  BufferPool(int size, int count) {
    super(count, () -> new byte[size]);
    this.size = size;
  }

  int bufferSize() {
    return size;
  }

  /**
   * Gives a buffer back. A buffer of another size stands for a pooled one its holder replaced (a
   * frame that outgrew it): the pool may then allocate a new one in its place.
   */
  @Override
  void release(byte[] b) {
    if (b == null) {
      return;
    }
    if (b.length == size) {
      super.release(b);
    } else {
      forget();
    }
  }
}
