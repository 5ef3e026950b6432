package dev.stasis.storage.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Skippable frames, shared by zstd and lz4 (magic 0x184D2A50 to 0x184D2A5F). */
final class Skippable {
  private Skippable() {}

  static byte[] frame(int magic, byte[] payload) {
    return ByteBuffer.allocate(8 + payload.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(magic)
        .putInt(payload.length)
        .put(payload)
        .array();
  }

  /** Called after the 4 magic bytes were read. */
  static Frame scan(FrameInput in) throws IOException {
    long size = in.u32();
    int start = in.length();
    in.copy(size);
    Trailer t = Trailer.parse(in.buffer(), start, (int) size);
    return t != null ? new Frame(-1, t) : Frame.SKIPPED;
  }
}
