package dev.stasis.storage.codec;

import dev.stasis.api.v1alpha1.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The LZ4 frame format (what the {@code lz4} command reads and writes): independent 4 MiB blocks,
 * content size and XXH32 content checksum in every frame. Written and parsed here with lz4-java's
 * block codec so that no per-frame buffers are allocated. The trailer is a skippable frame.
 */
final class Lz4Codec extends SkippableFramesCodec {
  static final int MAGIC = 0x184D2204;
  static final int BLOCK = 4 * 1024 * 1024;
  private static final int FLG = 0x40 | 0x20 | 0x08 | 0x04; // v01, block indep., size, checksum
  private static final int BD = 7 << 4; // 4 MiB blocks

  private final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
  private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();
  private final XXHash32 xxhash = XXHashFactory.fastestInstance().hash32();

  Lz4Codec() {
    super(MAGIC, "an lz4 frame");
  }

  @Override
  public Compression compression() {
    return Compression.LZ4;
  }

  @Override
  public int maxFrameSize(int rawLength) {
    int blocks = Math.max(1, (rawLength + BLOCK - 1) / BLOCK);
    return 15 + blocks * 4 + compressor.maxCompressedLength(rawLength) + blocks * 16 + 8;
  }

  @Override
  public int compress(byte[] src, int length, byte[] dst) {
    ByteBuffer out = ByteBuffer.wrap(dst).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(MAGIC).put((byte) FLG).put((byte) BD).putLong(length);
    int hc = (xxhash.hash(dst, 4, 10, 0) >>> 8) & 0xFF;
    out.put((byte) hc);
    for (int off = 0; off < length; off += BLOCK) {
      int n = Math.min(BLOCK, length - off);
      int sizePos = out.position();
      int dataPos = sizePos + 4;
      int c = compressor.compress(src, off, n, dst, dataPos, dst.length - dataPos);
      if (c >= n) {
        System.arraycopy(src, off, dst, dataPos, n);
        out.putInt(sizePos, n | 0x80000000);
        out.position(dataPos + n);
      } else {
        out.putInt(sizePos, c);
        out.position(dataPos + c);
      }
    }
    out.putInt(0); // end mark
    out.putInt(xxhash.hash(src, 0, length, 0));
    return out.position();
  }

  @Override
  Frame scanData(FrameInput in) throws IOException {
    int flg = in.u8();
    in.u8(); // BD
    if ((flg >>> 6) != 1) {
      throw new IOException("unsupported lz4 frame version at offset " + in.frameStart());
    }
    boolean independent = (flg & 0x20) != 0;
    boolean blockChecksum = (flg & 0x10) != 0;
    boolean hasSize = (flg & 0x08) != 0;
    boolean contentChecksum = (flg & 0x04) != 0;
    boolean dict = (flg & 0x01) != 0;
    long contentSize = hasSize ? in.u64() : -1;
    if (dict) {
      in.u32();
    }
    in.u8(); // HC
    while (true) {
      long size = in.u32() & 0xFFFFFFFFL;
      if (size == 0) {
        break;
      }
      in.copy(size & 0x7FFFFFFFL);
      if (blockChecksum) {
        in.copy(4);
      }
    }
    if (contentChecksum) {
      in.copy(4);
    }
    if (contentSize < 0 || contentSize > MAX_SPLIT_FRAME || !independent || dict) {
      throw new NotSplittableException("lz4 frame without a usable content size");
    }
    return new Frame(contentSize, null);
  }

  @Override
  public void decompress(byte[] src, int length, byte[] dst, int contentSize) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(src, 0, length).order(ByteOrder.LITTLE_ENDIAN);
    try {
      if (in.getInt() != MAGIC) {
        throw new IOException("not an lz4 frame");
      }
      int flg = in.get() & 0xFF;
      in.get();
      boolean blockChecksum = (flg & 0x10) != 0;
      boolean hasSize = (flg & 0x08) != 0;
      boolean contentChecksum = (flg & 0x04) != 0;
      int descEnd = 6 + (hasSize ? 8 : 0) + ((flg & 0x01) != 0 ? 4 : 0);
      int hc = (xxhash.hash(src, 4, descEnd - 4, 0) >>> 8) & 0xFF;
      in.position(descEnd);
      if ((in.get() & 0xFF) != hc) {
        throw new IOException("lz4 frame header checksum mismatch");
      }
      int out = 0;
      while (true) {
        int size = in.getInt();
        if (size == 0) {
          break;
        }
        int n = size & 0x7FFFFFFF;
        int pos = in.position();
        if (blockChecksum && in.getInt(pos + n) != xxhash.hash(src, pos, n, 0)) {
          throw new IOException("lz4 block checksum mismatch");
        }
        if ((size & 0x80000000) != 0) {
          if (out + n > contentSize) {
            throw new IOException("lz4 frame larger than its header says");
          }
          System.arraycopy(src, pos, dst, out, n);
          out += n;
        } else {
          out += decompressor.decompress(src, pos, n, dst, out, contentSize - out);
        }
        in.position(pos + n + (blockChecksum ? 4 : 0));
      }
      if (out != contentSize) {
        throw new IOException("lz4 frame decodes to " + out + " bytes, header says " + contentSize);
      }
      if (contentChecksum && in.getInt() != xxhash.hash(dst, 0, out, 0)) {
        throw new IOException("lz4 content checksum mismatch");
      }
    } catch (LZ4Exception | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      throw new IOException("corrupt lz4 frame: " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream decoder(InputStream in) throws IOException {
    return new LZ4FrameInputStream(in);
  }
}
