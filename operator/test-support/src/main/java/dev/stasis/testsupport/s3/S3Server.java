package dev.stasis.testsupport.s3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3 API server in the test JVM: S3Proxy on a loopback port, AWS Signature V4 (and V2)
 * authentication switched on, so requests signed with other keys are refused. Objects live in
 * memory ({@link #start()}) or in a directory ({@link #startFilesystem(Path)}); the server speaks
 * http, or https with a given key store ({@link #startFilesystem(Path, Path, String)}). It can be
 * stopped and started again on the same port with the same objects, to play a member that goes
 * down.
 */
public final class S3Server implements AutoCloseable {
  public static final String REGION = "us-east-1";

  private final BlobStoreContext context;
  private final String accessKey;
  private final String secretKey;
  private final int port;
  private final Path keyStore;
  private final String keyStorePassword;
  private S3Proxy proxy;

  private S3Server(
      BlobStoreContext context,
      String accessKey,
      String secretKey,
      int port,
      Path keyStore,
      String keyStorePassword) {
    this.context = context;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.port = port;
    this.keyStore = keyStore;
    this.keyStorePassword = keyStorePassword;
  }

  /** A server keeping objects in memory, with random keys, on a free loopback port. */
  public static S3Server start() {
    return start(ContextBuilder.newBuilder("transient"), 0);
  }

  /** A server keeping objects under {@code dir} (for large benchmarks). */
  public static S3Server startFilesystem(Path dir) {
    return startFilesystem(dir, null, null);
  }

  /**
   * A server keeping objects under {@code dir} that speaks https only, with the key and certificate
   * of {@code keyStore} (PKCS#12, the key protected by the store's password); null: http.
   */
  public static S3Server startFilesystem(Path dir, Path keyStore, String keyStorePassword) {
    Properties p = new Properties();
    p.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
    return start(
        ContextBuilder.newBuilder("filesystem").overrides(p), 0, keyStore, keyStorePassword);
  }

  /** A server on a given port (0: a free one). */
  public static S3Server start(ContextBuilder builder, int port) {
    return start(builder, port, null, null);
  }

  private static S3Server start(
      ContextBuilder builder, int port, Path keyStore, String keyStorePassword) {
    String access = "AKIA" + Long.toHexString(System.nanoTime()).toUpperCase();
    String secret = java.util.UUID.randomUUID().toString().replace("-", "");
    BlobStoreContext ctx = builder.credentials("local", "local").build(BlobStoreContext.class);
    S3Server s =
        new S3Server(
            ctx, access, secret, port == 0 ? freePort() : port, keyStore, keyStorePassword);
    s.startProxy();
    return s;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void startProxy() {
    S3Proxy.Builder b =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            .ignoreUnknownHeaders(true);
    if (keyStore != null) {
      b.secureEndpoint(endpoint()).keyStore(keyStore.toString(), keyStorePassword);
    } else {
      b.endpoint(endpoint());
    }
    S3Proxy p = b.build();
    try {
      p.start();
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!"STARTED".equals(p.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start: " + p.getState());
        }
        Thread.sleep(10);
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not start S3Proxy on port " + port, e);
    }
    this.proxy = p;
  }

  /** Stops answering (connections are refused); objects are kept. */
  public synchronized void stop() {
    if (proxy != null) {
      try {
        proxy.stop();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      proxy = null;
    }
  }

  /** Starts answering again on the same port, with the same objects. */
  public synchronized void restart() {
    if (proxy == null) {
      startProxy();
    }
  }

  public boolean isRunning() {
    return proxy != null;
  }

  /** {@code http://127.0.0.1:<port>}, or {@code https://} for a server with a key store. */
  public URI endpoint() {
    return URI.create((keyStore != null ? "https" : "http") + "://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  public String region() {
    return REGION;
  }

  /** The objects behind the server, to inspect or damage them in tests. */
  public BlobStore blobStore() {
    return context.getBlobStore();
  }

  public void createBucket(String bucket) {
    context.getBlobStore().createContainerInLocation(null, bucket);
  }

  /** Environment for the AWS CLI (or any SDK) to reach this server. */
  public java.util.Map<String, String> awsEnvironment() {
    return java.util.Map.of(
        "AWS_ACCESS_KEY_ID", accessKey,
        "AWS_SECRET_ACCESS_KEY", secretKey,
        "AWS_REGION", REGION,
        "AWS_DEFAULT_REGION", REGION,
        "AWS_ENDPOINT_URL", endpoint().toString());
  }

  @Override
  public void close() {
    stop();
    context.close();
  }
}
