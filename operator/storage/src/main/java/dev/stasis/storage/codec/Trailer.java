package dev.stasis.storage.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The last frame of a compressed object Stasis writes: the archive's length and SHA-256, in a frame
 * that standard decompressors skip (a zstd/lz4 skippable frame, an empty gzip member). It lets
 * {@code cp} verify an object that has no manifest.
 */
public record Trailer(long archiveBytes, byte[] sha256) {
  static final byte[] MAGIC = "STASIS01".getBytes(StandardCharsets.US_ASCII);
  static final int PAYLOAD = 8 + 8 + 32;

  byte[] payload() {
    ByteBuffer b = ByteBuffer.allocate(PAYLOAD).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putLong(archiveBytes).put(sha256);
    return b.array();
  }

  /** Parses a payload, or returns null if it is not a Stasis trailer. */
  static Trailer parse(byte[] buf, int off, int len) {
    if (len != PAYLOAD || !Arrays.equals(buf, off, off + 8, MAGIC, 0, 8)) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(buf, off + 8, len - 8).order(ByteOrder.LITTLE_ENDIAN);
    long bytes = b.getLong();
    byte[] sha = new byte[32];
    b.get(sha);
    return new Trailer(bytes, sha);
  }

  public String sha256Hex() {
    return HexFormat.of().formatHex(sha256);
  }
}
