package dev.stasis.storage.codec;

import dev.stasis.api.v1alpha1.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * gzip (RFC 1952) as a concatenation of members, which {@code gzip -d} decodes as one file. Each
 * member carries its own length in an extra field (subfield {@code SZ}, 4 bytes), the way BGZF
 * does, so a reader can cut the stream into members without inflating it. The trailer is an empty
 * member whose extra field also holds subfield {@code ST} (the archive's length and SHA-256).
 * Members written by other tools (no {@code SZ}) are decoded sequentially.
 */
final class GzipCodec extends FrameCodec {
  private static final int HEADER = 10 + 2 + 4 + 4; // fixed header, XLEN, SZ subfield
  private final int level;
  private final ThreadLocal<Deflater> deflater;
  private final ThreadLocal<Inflater> inflater = ThreadLocal.withInitial(() -> new Inflater(true));

  GzipCodec(int level) {
    if (level < 1 || level > 9) {
      throw new IllegalArgumentException("gzip level must be between 1 and 9");
    }
    this.level = level;
    this.deflater = ThreadLocal.withInitial(() -> new Deflater(this.level, true));
  }

  @Override
  public Compression compression() {
    return Compression.GZIP;
  }

  @Override
  public int maxFrameSize(int rawLength) {
    return rawLength + (rawLength >>> 3) + 1024 + HEADER + 8;
  }

  @Override
  public int compress(byte[] src, int length, byte[] dst) {
    Deflater d = deflater.get();
    d.reset();
    d.setInput(src, 0, length);
    d.finish();
    int pos = HEADER;
    while (!d.finished()) {
      int n = d.deflate(dst, pos, dst.length - 8 - pos);
      if (n == 0 && !d.finished() && pos >= dst.length - 8) {
        throw new IllegalStateException("gzip member larger than its bound");
      }
      pos += n;
    }
    CRC32 crc = new CRC32();
    crc.update(src, 0, length);
    ByteBuffer b = ByteBuffer.wrap(dst).order(ByteOrder.LITTLE_ENDIAN);
    b.position(pos);
    b.putInt((int) crc.getValue()).putInt(length);
    int total = b.position();
    writeHeader(b.position(0), 8, total);
    return total;
  }

  private static void writeHeader(ByteBuffer b, int xlen, int memberLength) {
    b.put((byte) 0x1f).put((byte) 0x8b).put((byte) 8).put((byte) 0x04); // FEXTRA
    b.putInt(0).put((byte) 0).put((byte) 0xff); // MTIME, XFL, OS unknown
    b.putShort((short) xlen);
    b.put((byte) 'S').put((byte) 'Z').putShort((short) 4).putInt(memberLength);
  }

  @Override
  public byte[] trailer(Trailer trailer) {
    byte[] payload = trailer.payload();
    int xlen = 8 + 4 + payload.length;
    int total = 10 + 2 + xlen + 2 + 8;
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    writeHeader(b, xlen, total);
    b.put((byte) 'S').put((byte) 'T').putShort((short) payload.length).put(payload);
    b.put((byte) 0x03).put((byte) 0x00); // an empty final deflate block
    b.putInt(0).putInt(0); // CRC32 and ISIZE of nothing
    return b.array();
  }

  @Override
  public Frame scan(FrameInput in) throws IOException {
    if (in.firstByte() < 0) {
      return null;
    }
    if (in.u8() != 0x8b || (in.buffer()[0] & 0xFF) != 0x1f) {
      throw new IOException("not a gzip member at offset " + in.frameStart());
    }
    in.u8(); // CM
    int flg = in.u8();
    in.copy(6);
    if ((flg & 0x04) == 0) {
      throw new NotSplittableException("gzip member without an extra field");
    }
    int xlen = in.u16();
    int xstart = in.length();
    in.copy(xlen);
    byte[] buf = in.buffer();
    long memberLength = -1;
    Trailer trailer = null;
    for (int p = xstart; p + 4 <= xstart + xlen; ) {
      int len = (buf[p + 2] & 0xFF) | (buf[p + 3] & 0xFF) << 8;
      if (buf[p] == 'S' && buf[p + 1] == 'Z' && len == 4) {
        memberLength = ByteBuffer.wrap(buf, p + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        memberLength &= 0xFFFFFFFFL;
      } else if (buf[p] == 'S' && buf[p + 1] == 'T') {
        trailer = Trailer.parse(buf, p + 4, len);
      }
      p += 4 + len;
    }
    if (memberLength < 0) {
      throw new NotSplittableException("gzip member without a length");
    }
    in.copy(memberLength - in.length());
    if (trailer != null) {
      return new Frame(-1, trailer);
    }
    int n = in.length();
    long isize = ByteBuffer.wrap(in.buffer(), n - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    isize &= 0xFFFFFFFFL;
    if (isize > MAX_SPLIT_FRAME) {
      throw new NotSplittableException("gzip member too large to split");
    }
    return new Frame(isize, null);
  }

  @Override
  public void decompress(byte[] src, int length, byte[] dst, int contentSize) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(src, 0, length).order(ByteOrder.LITTLE_ENDIAN);
    try {
      b.position(3);
      int flg = b.get() & 0xFF;
      b.position(10);
      if ((flg & 0x04) != 0) {
        int xlen = b.getShort() & 0xFFFF;
        b.position(b.position() + xlen);
      }
      if ((flg & 0x08) != 0) {
        while (b.get() != 0) {}
      }
      if ((flg & 0x10) != 0) {
        while (b.get() != 0) {}
      }
      if ((flg & 0x02) != 0) {
        b.getShort();
      }
      Inflater inf = inflater.get();
      inf.reset();
      inf.setInput(src, b.position(), length - 8 - b.position());
      int out = 0;
      while (!inf.finished()) {
        int n = inf.inflate(dst, out, contentSize - out);
        if (n == 0 && (inf.needsInput() || out == contentSize)) {
          throw new IOException("gzip member ends early or decodes to more than " + contentSize);
        }
        out += n;
      }
      CRC32 crc = new CRC32();
      crc.update(dst, 0, out);
      b.position(length - 8);
      if (b.getInt() != (int) crc.getValue() || out != contentSize) {
        throw new IOException("gzip member CRC32 or size mismatch");
      }
    } catch (DataFormatException
        | IndexOutOfBoundsException
        | java.nio.BufferUnderflowException e) {
      throw new IOException("corrupt gzip member: " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream decoder(InputStream in) throws IOException {
    return new GZIPInputStream(in, 64 * 1024);
  }
}
