package dev.stasis.storage.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A format whose frames begin with a 4-byte magic number and whose decoders pass over skippable
 * frames (magic 0x184D2A50 to 0x184D2A5F): zstd and the LZ4 frame format. Stasis's trailer is a
 * skippable frame.
 */
abstract class SkippableFramesCodec extends FrameCodec {
  static final int SKIPPABLE_TRAILER = 0x184D2A5E;

  private final int magic;
  private final String frameName;

  /**
   * @param magic the magic number of a data frame
   * @param frameName what a data frame is called in errors ("a zstd frame")
   */
  SkippableFramesCodec(int magic, String frameName) {
    this.magic = magic;
    this.frameName = frameName;
  }

  @Override
  public final byte[] trailer(Trailer trailer) {
    byte[] payload = trailer.payload();
    return ByteBuffer.allocate(8 + payload.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(SKIPPABLE_TRAILER)
        .putInt(payload.length)
        .put(payload)
        .array();
  }

  @Override
  public final Frame scan(FrameInput in) throws IOException {
    if (in.firstByte() < 0) {
      return null;
    }
    int m = (in.buffer()[0] & 0xFF) | in.u8() << 8 | in.u16() << 16;
    if ((m & 0xFFFFFFF0) == 0x184D2A50) {
      return skippable(in);
    }
    if (m != magic) {
      throw new IOException(
          "not " + frameName + " at offset " + in.frameStart() + String.format(" (0x%08x)", m));
    }
    return scanData(in);
  }

  /** Reads the rest of a data frame, after its magic number. */
  abstract Frame scanData(FrameInput in) throws IOException;

  private static Frame skippable(FrameInput in) throws IOException {
    long size = in.u32();
    int start = in.length();
    in.copy(size);
    Trailer t = Trailer.parse(in.buffer(), start, (int) size);
    return t != null ? new Frame(-1, t) : Frame.SKIPPED;
  }
}
