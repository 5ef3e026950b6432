package dev.stasis.storage.codec;

import dev.stasis.api.v1alpha1.Compression;
import java.io.IOException;
import java.io.InputStream;

/** No compression: the stored object is the archive itself, byte for byte, with no trailer. */
final class NoneCodec extends FrameCodec {
  private static final int SLICE = 4 * 1024 * 1024;

  @Override
  public Compression compression() {
    return Compression.NONE;
  }

  @Override
  public int maxFrameSize(int rawLength) {
    return rawLength;
  }

  @Override
  public int compress(byte[] src, int length, byte[] dst) {
    System.arraycopy(src, 0, dst, 0, length);
    return length;
  }

  @Override
  public byte[] trailer(Trailer trailer) {
    return null;
  }

  @Override
  public Frame scan(FrameInput in) throws IOException {
    int n = in.readUpTo(SLICE);
    return n == 0 ? null : new Frame(n, null);
  }

  @Override
  public void decompress(byte[] src, int length, byte[] dst, int contentSize) {
    System.arraycopy(src, 0, dst, 0, length);
  }

  @Override
  public InputStream decoder(InputStream in) {
    return in;
  }
}
