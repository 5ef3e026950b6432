package dev.stasis.testsupport.kubelet;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A small POSIX ustar writer (regular files and directories, names up to 100 bytes or split at a
 * slash into the 155-byte prefix): enough for the archives the kubelet simulator writes, readable
 * by GNU tar and checkpointctl.
 */
public final class TarWriter implements Closeable {
  private static final int BLOCK = 512;
  private final OutputStream out;
  private final long mtime;
  private boolean closed;

  public TarWriter(OutputStream out, long mtimeEpochSeconds) {
    this.out = out;
    this.mtime = mtimeEpochSeconds;
  }

  public void directory(String name) throws IOException {
    header(name.endsWith("/") ? name : name + "/", 0, '5', 0755);
  }

  public void file(String name, byte[] content) throws IOException {
    header(name, content.length, '0', 0644);
    out.write(content);
    pad(content.length);
  }

  /**
   * A file of {@code size} bytes read from {@code content} (which must hold at least that many).
   */
  public void file(String name, long size, InputStream content) throws IOException {
    header(name, size, '0', 0644);
    byte[] buf = new byte[64 * 1024];
    long left = size;
    while (left > 0) {
      int n = content.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("content of " + name + " ended " + left + " bytes early");
      }
      out.write(buf, 0, n);
      left -= n;
    }
    pad(size);
  }

  private void pad(long size) throws IOException {
    int rem = (int) (size % BLOCK);
    if (rem != 0) {
      out.write(new byte[BLOCK - rem]);
    }
  }

  private void header(String name, long size, char type, int mode) throws IOException {
    byte[] h = new byte[BLOCK];
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    String prefix = "";
    if (nameBytes.length > 100) {
      int cut = name.lastIndexOf('/', name.length() - 2);
      while (cut > 0 && name.substring(cut + 1).getBytes(StandardCharsets.UTF_8).length > 100) {
        cut = name.lastIndexOf('/', cut - 1);
      }
      if (cut <= 0 || cut > 155) {
        throw new IOException("name too long for ustar: " + name);
      }
      prefix = name.substring(0, cut);
      nameBytes = name.substring(cut + 1).getBytes(StandardCharsets.UTF_8);
    }
    put(h, 0, 100, nameBytes);
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, mtime);
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    h[156] = (byte) type;
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    put(h, 265, 32, "root".getBytes(StandardCharsets.US_ASCII));
    put(h, 297, 32, "root".getBytes(StandardCharsets.US_ASCII));
    put(h, 345, 155, prefix.getBytes(StandardCharsets.UTF_8));
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    String chk = String.format("%06o", sum);
    put(h, 148, 6, chk.getBytes(StandardCharsets.US_ASCII));
    h[154] = 0;
    h[155] = ' ';
    out.write(h);
  }

  private static void put(byte[] h, int off, int len, byte[] v) {
    System.arraycopy(v, 0, h, off, Math.min(len, v.length));
  }

  private static void octal(byte[] h, int off, int len, long value) {
    String s = Long.toOctalString(value);
    if (s.length() > len - 1) {
      throw new IllegalArgumentException("value too large for a ustar field: " + value);
    }
    String padded = "0".repeat(len - 1 - s.length()) + s;
    put(h, off, len - 1, padded.getBytes(StandardCharsets.US_ASCII));
    h[off + len - 1] = 0;
  }

  /** Writes the two zero blocks that end an archive (does not close the stream). */
  public void finish() throws IOException {
    if (!closed) {
      out.write(new byte[2 * BLOCK]);
      closed = true;
    }
  }

  @Override
  public void close() throws IOException {
    finish();
    out.close();
  }
}
