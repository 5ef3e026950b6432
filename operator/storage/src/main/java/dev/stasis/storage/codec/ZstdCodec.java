package dev.stasis.storage.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdInputStream;
import dev.stasis.api.v1alpha1.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.function.IntSupplier;

/**
 * Zstandard (RFC 8878). Every frame records its content size and an XXH64 content checksum. The
 * trailer is a skippable frame (magic 0x184D2A5E).
 */
final class ZstdCodec extends SkippableFramesCodec {
  static final int MAGIC = 0xFD2FB528;

  private final int level;
  private final ThreadLocal<ZstdCompressCtx> cctx;
  private final ThreadLocal<ZstdDecompressCtx> dctx =
      ThreadLocal.withInitial(ZstdDecompressCtx::new);

  ZstdCodec(int level) {
    super(MAGIC, "a zstd frame");
    if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel()) {
      throw new IllegalArgumentException("zstd level must be between 1 and 22");
    }
    this.level = level;
    this.cctx =
        ThreadLocal.withInitial(
            () -> {
              ZstdCompressCtx c = new ZstdCompressCtx();
              c.setLevel(this.level);
              c.setChecksum(true);
              c.setContentSize(true);
              return c;
            });
  }

  @Override
  public Compression compression() {
    return Compression.ZSTD;
  }

  @Override
  public int maxFrameSize(int rawLength) {
    return (int) Zstd.compressBound(rawLength);
  }

  @Override
  public int compress(byte[] src, int length, byte[] dst) {
    return cctx.get().compressByteArray(dst, 0, dst.length, src, 0, length);
  }

  @Override
  Frame scanData(FrameInput in) throws IOException {
    int fhd = in.u8();
    int fcsFlag = fhd >>> 6;
    boolean singleSegment = (fhd & 0x20) != 0;
    boolean checksum = (fhd & 0x04) != 0;
    int dictFlag = fhd & 0x03;
    if ((fhd & 0x08) != 0) {
      throw new IOException("zstd frame at offset " + in.frameStart() + " sets a reserved bit");
    }
    if (!singleSegment) {
      in.u8();
    }
    in.le(new int[] {0, 1, 2, 4}[dictFlag]);
    int fcsBytes = fcsFlag == 0 ? (singleSegment ? 1 : 0) : new int[] {0, 2, 4, 8}[fcsFlag];
    long contentSize = -1;
    if (fcsBytes > 0) {
      contentSize = in.le(fcsBytes);
      if (fcsBytes == 2) {
        contentSize += 256;
      }
    }
    boolean last;
    do {
      int h = in.u24();
      last = (h & 1) != 0;
      int type = (h >>> 1) & 3;
      int size = h >>> 3;
      if (type == 3) {
        throw new IOException("zstd frame at offset " + in.frameStart() + " has a reserved block");
      }
      in.copy(type == 1 ? 1 : size);
    } while (!last);
    if (checksum) {
      in.copy(4);
    }
    if (contentSize < 0 || contentSize > MAX_SPLIT_FRAME || dictFlag != 0) {
      throw new NotSplittableException("zstd frame without a usable content size");
    }
    return new Frame(contentSize, null);
  }

  @Override
  public void decompress(byte[] src, int length, byte[] dst, int contentSize) throws IOException {
    decoded(contentSize, () -> dctx.get().decompressByteArray(dst, 0, contentSize, src, 0, length));
  }

  /** Runs a decompression that returns the bytes it wrote; checks them against the header's. */
  private static void decoded(int contentSize, IntSupplier decompression) throws IOException {
    try {
      int n = decompression.getAsInt();
      if (n != contentSize) {
        throw new IOException("zstd frame decodes to " + n + " bytes, header says " + contentSize);
      }
    } catch (ZstdException e) {
      throw new IOException("corrupt zstd frame: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean decompressesToDirect() {
    return true;
  }

  @Override
  public void decompress(byte[] src, int length, ByteBuffer dst, int contentSize)
      throws IOException {
    if (contentSize > dst.capacity()) {
      throw new IOException("zstd frame of " + contentSize + " bytes does not fit its buffer");
    }
    decoded(
        contentSize,
        () ->
            dctx.get().decompressByteArrayToDirectByteBuffer(dst, 0, contentSize, src, 0, length));
  }

  @Override
  public InputStream decoder(InputStream in) throws IOException {
    ZstdInputStream z = new ZstdInputStream(in);
    z.setContinuous(false);
    return z;
  }
}
