package dev.stasis.storage.codec;

/**
 * The stream cannot be cut into frames for parallel decompression (a frame without a known size, an
 * oversized frame, gzip written by another tool): the reader falls back to decoding it in one
 * sequential pass, which is still correct, only slower.
 */
public final class NotSplittableException extends RuntimeException {
  public NotSplittableException(String message) {
    super(message, null, false, false);
  }
}
