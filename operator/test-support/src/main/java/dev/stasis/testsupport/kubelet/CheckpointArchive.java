package dev.stasis.testsupport.kubelet;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Writes a container checkpoint archive in the layout CRI-O (and containerd 2.1+) produce and
 * checkpointctl reads: {@code config.dump}, {@code spec.dump}, {@code checkpoint/} with CRIU image
 * files, {@code rootfs-diff.tar}, {@code bind.mounts}, {@code stats-dump} and the container log.
 * The memory pages are deterministic for a given pod, container and size, and look like memory:
 * runs of zero pages, repeated structures and incompressible data.
 */
public final class CheckpointArchive {
  /** What a checkpoint of one container holds. */
  public record Spec(
      String namespace, String pod, String container, String image, long pagesBytes) {}

  private CheckpointArchive() {}

  /** Writes the archive to {@code target}; returns its size. */
  public static long write(Spec spec, Path target, Instant created) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16)) {
      write(spec, out, created);
    }
    return Files.size(target);
  }

  public static void write(Spec spec, OutputStream out, Instant created) throws IOException {
    long mtime = created.getEpochSecond();
    TarWriter tar = new TarWriter(out, mtime);
    String id = containerId(spec);
    tar.file("config.dump", utf8(configDump(spec, id, created)));
    tar.file("spec.dump", utf8(specDump(spec, id)));
    tar.file(
        "bind.mounts",
        utf8(
            "[{\"destination\":\"/etc/hostname\",\"source\":\"/run/containers/storage/overlay-containers/"
                + id
                + "/userdata/hostname\",\"fileType\":\"file\",\"permissions\":420}]"));
    tar.file(
        "stats-dump",
        criuImage(
            0x54564319,
            utf8(
                "{\"dump\":{\"freezing_time\":1200,\"frozen_time\":3400,\"memdump_time\":5600,\"memwrite_time\":7800,\"pages_scanned\":"
                    + spec.pagesBytes() / 4096
                    + "}}")));
    tar.file(
        "container.log",
        utf8(
            created
                + " stdout F "
                + spec.container()
                + " started\n"
                + created
                + " stdout F serving on :8080\n"));
    tar.file("rootfs-diff.tar", rootfsDiff(mtime));
    tar.directory("checkpoint");
    tar.file(
        "checkpoint/inventory.img",
        criuImage(
            0x58313116,
            utf8("{\"img_version\":2,\"root_ids\":{\"pid_ns_id\":1},\"lsmtype\":\"NO_LSM\"}")));
    tar.file(
        "checkpoint/pstree.img",
        criuImage(0x50273030, utf8("{\"pid\":1,\"ppid\":0,\"pgid\":1,\"sid\":1}")));
    tar.file(
        "checkpoint/core-1.img",
        criuImage(
            0x55053847,
            utf8(
                "{\"mtype\":\"X86_64\",\"tc\":{\"task_state\":1,\"comm\":\""
                    + spec.container()
                    + "\"}}")));
    tar.file(
        "checkpoint/mm-1.img",
        criuImage(
            0x57492820,
            utf8("{\"mm_start_code\":4194304,\"vmas\":" + (spec.pagesBytes() / 4096) + "}")));
    long pages = Math.max(1, spec.pagesBytes() / 4096);
    ByteArrayOutputStream pagemap = new ByteArrayOutputStream();
    pagemap.write(criuImage(0x56084025, new byte[0]));
    for (long p = 0; p < pages; p += 256) {
      pagemap.write(
          utf8(
              "{\"vaddr\":"
                  + (0x7f0000000000L + p * 4096)
                  + ",\"nr_pages\":"
                  + Math.min(256, pages - p)
                  + "}\n"));
    }
    tar.file("checkpoint/pagemap-1.img", pagemap.toByteArray());
    tar.file(
        "checkpoint/pages-1.img",
        spec.pagesBytes(),
        new MemoryContent(seed(spec), spec.pagesBytes()));
    tar.finish();
    out.flush();
  }

  /** The container id the simulator reports: stable for a pod and container. */
  public static String containerId(Spec spec) {
    return String.format(
        "%016x%016x%016x%016x",
        seed(spec), seed(spec) * 31 + 7, seed(spec) ^ 0x5deece66dL, ~seed(spec));
  }

  private static long seed(Spec spec) {
    long h = 1125899906842597L;
    for (char c : (spec.namespace() + "/" + spec.pod() + "/" + spec.container()).toCharArray()) {
      h = 31 * h + c;
    }
    return h;
  }

  private static String configDump(Spec spec, String id, Instant created) {
    return "{\n"
        + "  \"id\": \""
        + id
        + "\",\n"
        + "  \"name\": \"k8s_"
        + spec.container()
        + "_"
        + spec.pod()
        + "_"
        + spec.namespace()
        + "_0\",\n"
        + "  \"rootfsImage\": \""
        + spec.image()
        + "\",\n"
        + "  \"rootfsImageRef\": \""
        + spec.image()
        + "\",\n"
        + "  \"rootfsImageName\": \""
        + spec.image()
        + "\",\n"
        + "  \"runtime\": \"runc\",\n"
        + "  \"createdTime\": \""
        + created
        + "\",\n"
        + "  \"checkpointedTime\": \""
        + created
        + "\"\n"
        + "}\n";
  }

  private static String specDump(Spec spec, String id) {
    return "{\n"
        + "  \"ociVersion\": \"1.0.2-dev\",\n"
        + "  \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/app\"], \"cwd\": \"/\"},\n"
        + "  \"root\": {\"path\": \"/var/lib/containers/storage/overlay/"
        + id
        + "/merged\"},\n"
        + "  \"hostname\": \""
        + spec.pod()
        + "\",\n"
        + "  \"annotations\": {\n"
        + "    \"io.kubernetes.pod.namespace\": \""
        + spec.namespace()
        + "\",\n"
        + "    \"io.kubernetes.pod.name\": \""
        + spec.pod()
        + "\",\n"
        + "    \"io.kubernetes.container.name\": \""
        + spec.container()
        + "\",\n"
        + "    \"io.kubernetes.cri-o.ImageName\": \""
        + spec.image()
        + "\",\n"
        + "    \"io.kubernetes.cri-o.LogPath\": \"/var/log/pods/"
        + spec.namespace()
        + "_"
        + spec.pod()
        + "/"
        + spec.container()
        + "/0.log\"\n"
        + "  },\n"
        + "  \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}]}\n"
        + "}\n";
  }

  /** A CRIU image: the magic words, then the payload (not real protobuf, but the right frame). */
  private static byte[] criuImage(int magic, byte[] payload) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    writeLe(b, 0x54564319); // IMG_COMMON_MAGIC
    writeLe(b, magic);
    writeLe(b, payload.length);
    b.writeBytes(payload);
    return b.toByteArray();
  }

  private static void writeLe(ByteArrayOutputStream b, int v) {
    b.write(v);
    b.write(v >>> 8);
    b.write(v >>> 16);
    b.write(v >>> 24);
  }

  private static byte[] rootfsDiff(long mtime) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    TarWriter t = new TarWriter(b, mtime);
    t.directory("tmp");
    t.file("tmp/state.txt", utf8("counter=42\n"));
    t.finish();
    return b.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Deterministic page content: per 4 KiB page, chosen by a xorshift generator, a zero page (30 %),
   * a page of a repeated 64-byte record (40 %), or pseudo-random bytes (30 %).
   */
  static final class MemoryContent extends InputStream {
    private final long size;
    private long state;
    private long pos;
    private final byte[] page = new byte[4096];
    private int pageOff = page.length;

    MemoryContent(long seed, long size) {
      this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
      this.size = size;
    }

    private long next() {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      return state;
    }

    private void fillPage() {
      long kind = Long.remainderUnsigned(next(), 10);
      if (kind < 3) {
        java.util.Arrays.fill(page, (byte) 0);
      } else if (kind < 7) {
        long rec = next();
        for (int i = 0; i < page.length; i++) {
          page[i] = (byte) (i % 64 < 8 ? rec >>> ((i % 8) * 8) : (i % 64) ^ (pos >>> 12));
        }
      } else {
        for (int i = 0; i < page.length; i += 8) {
          long v = next();
          for (int j = 0; j < 8; j++) {
            page[i + j] = (byte) (v >>> (j * 8));
          }
        }
      }
      pageOff = 0;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= size) {
        return -1;
      }
      int n = 0;
      while (n < len && pos < size) {
        if (pageOff == page.length) {
          fillPage();
        }
        int c = (int) Math.min(Math.min(len - n, page.length - pageOff), size - pos);
        System.arraycopy(page, pageOff, b, off + n, c);
        pageOff += c;
        pos += c;
        n += c;
      }
      return n;
    }
  }
}
