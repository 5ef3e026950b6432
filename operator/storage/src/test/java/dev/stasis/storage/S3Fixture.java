package dev.stasis.storage;

import dev.stasis.storage.s3.S3ObjectStore;
import dev.stasis.storage.s3.S3Settings;
import dev.stasis.testsupport.s3.S3Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;

/** Helpers for tests against the in-JVM S3 server. */
final class S3Fixture {
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private S3Fixture() {}

  static String newBucket(S3Server server) {
    String b = "bucket-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    server.createBucket(b);
    return b;
  }

  static S3Settings settings(S3Server server, URI endpoint) {
    return new S3Settings()
        .endpoint(endpoint)
        .region(S3Server.REGION)
        .credentials(server.accessKey(), server.secretKey(), null)
        .minPartSize(S3Settings.AWS_MIN_PART_SIZE)
        .sdkMaxAttempts(3)
        .partMaxAttempts(3);
  }

  static S3ObjectStore store(S3Server server, String bucket) {
    return S3ObjectStore.create(bucket, settings(server, server.endpoint()));
  }

  static TransferOptions smallParts() {
    return TransferOptions.defaults()
        .withFrameSize(1024 * 1024)
        .withPartSize(S3Settings.AWS_MIN_PART_SIZE)
        .withConcurrency(4)
        .withThreads(2);
  }

  static byte[] read(S3Server server, String bucket, String key) throws IOException {
    Blob b = server.blobStore().getBlob(bucket, key);
    try (InputStream in = b.getPayload().openStream()) {
      return in.readAllBytes();
    }
  }

  static void write(S3Server server, String bucket, String key, byte[] data) {
    BlobStore bs = server.blobStore();
    bs.putBlob(bucket, bs.blobBuilder(key).payload(data).contentLength(data.length).build());
  }

  /**
   * An archive that zstd barely shrinks (a quarter generated checkpoint-like pages, the rest
   * random), so that a few MiB make several 5 MiB parts (S3Proxy, like S3, refuses smaller).
   */
  static byte[] archive(int size, long seed) {
    byte[] b = ArchiveGenerator.bytes(size, seed);
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = size / 4; i < size; i++) {
      b[i] = (byte) r.nextInt();
    }
    return b;
  }

  /** An InputStream that fails after {@code failAfter} bytes. */
  static InputStream failingAfter(byte[] data, int failAfter) {
    return new InputStream() {
      int pos;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= failAfter) {
          throw new IOException("the kubelet went away");
        }
        int n = Math.min(len, Math.min(failAfter, data.length) - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }
}
