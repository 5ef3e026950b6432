package dev.stasis.storage.codec;

/**
 * One frame found by {@link FrameCodec#scan}: either data (with its decompressed size) or a Stasis
 * trailer that states the archive's length and SHA-256.
 *
 * @param contentSize decompressed bytes of a data frame; -1 for a trailer or a skipped frame
 * @param trailer the trailer, or null
 */
public record Frame(long contentSize, Trailer trailer) {
  static final Frame SKIPPED = new Frame(-1, null);

  public boolean isData() {
    return contentSize >= 0;
  }
}
