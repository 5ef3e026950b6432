package dev.stasis.storage.s3;

import java.net.InetAddress;
import java.net.URI;
import java.util.function.Consumer;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * How to reach an S3 bucket. Unset fields fall back to the AWS defaults: the default region chain
 * ({@code AWS_REGION}, profile, instance metadata) and the default credentials chain (environment,
 * web identity token for IRSA, EKS Pod Identity, instance profile).
 */
public final class S3Settings {
  /** S3's smallest part (except the last). */
  public static final int AWS_MIN_PART_SIZE = 5 * 1024 * 1024;

  private String region;
  private URI endpoint;
  private Boolean pathStyle;
  private String accessKeyId;
  private String secretAccessKey;
  private String sessionToken;
  private String storageClass;
  private String sseAlgorithm;
  private String sseKmsKeyId;
  private int minPartSize = AWS_MIN_PART_SIZE;
  private int maxConnections = 32;
  private int sdkMaxAttempts = 4;
  private int partMaxAttempts = 4;

  public String region() {
    return region;
  }

  public S3Settings region(String region) {
    this.region = blankToNull(region);
    return this;
  }

  public URI endpoint() {
    return endpoint;
  }

  public S3Settings endpoint(URI endpoint) {
    this.endpoint = endpoint;
    return this;
  }

  public S3Settings endpoint(String endpoint) {
    this.endpoint = blankToNull(endpoint) == null ? null : URI.create(endpoint.trim());
    return this;
  }

  /** Explicit path-style addressing; null decides from the endpoint. */
  public Boolean pathStyle() {
    return pathStyle;
  }

  public S3Settings pathStyle(Boolean pathStyle) {
    this.pathStyle = pathStyle;
    return this;
  }

  /**
   * Path-style addressing is used when asked for, and implied (as the AWS CLI does) by an endpoint
   * whose host is an IP address or localhost.
   */
  public boolean effectivePathStyle() {
    if (Boolean.TRUE.equals(pathStyle)) {
      return true;
    }
    return endpoint != null && isIpOrLocalhost(endpoint.getHost());
  }

  static boolean isIpOrLocalhost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(java.util.Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    if (h.startsWith("[") || h.contains(":")) {
      return true; // IPv6 literal
    }
    if (h.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      try {
        InetAddress.getByName(h); // a literal: no lookup
        return true;
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    return false;
  }

  public S3Settings credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    this.accessKeyId = blankToNull(accessKeyId);
    this.secretAccessKey = blankToNull(secretAccessKey);
    this.sessionToken = blankToNull(sessionToken);
    return this;
  }

  public String accessKeyId() {
    return accessKeyId;
  }

  public String secretAccessKey() {
    return secretAccessKey;
  }

  public String sessionToken() {
    return sessionToken;
  }

  public String storageClass() {
    return storageClass;
  }

  public S3Settings storageClass(String storageClass) {
    this.storageClass = blankToNull(storageClass);
    return this;
  }

  public String sseAlgorithm() {
    return sseAlgorithm;
  }

  public String sseKmsKeyId() {
    return sseKmsKeyId;
  }

  /** Server-side encryption: AES256, aws:kms or aws:kms:dsse, and an optional KMS key. */
  public S3Settings serverSideEncryption(String algorithm, String kmsKeyId) {
    this.sseAlgorithm = blankToNull(algorithm);
    this.sseKmsKeyId = blankToNull(kmsKeyId);
    return this;
  }

  /** Gives a new object the storage class and server-side encryption asked for, if any. */
  void applyToNewObject(
      Consumer<String> storageClass,
      Consumer<ServerSideEncryption> encryption,
      Consumer<String> kmsKeyId) {
    if (this.storageClass != null) {
      storageClass.accept(this.storageClass);
    }
    if (sseAlgorithm != null) {
      encryption.accept(ServerSideEncryption.fromValue(sseAlgorithm));
      if (sseKmsKeyId != null) {
        kmsKeyId.accept(sseKmsKeyId);
      }
    }
  }

  public int minPartSize() {
    return minPartSize;
  }

  /** The smallest part size to use (5 MiB on AWS; S3-compatible test servers may allow less). */
  public S3Settings minPartSize(int minPartSize) {
    this.minPartSize = minPartSize;
    return this;
  }

  public int maxConnections() {
    return maxConnections;
  }

  public S3Settings maxConnections(int maxConnections) {
    this.maxConnections = maxConnections;
    return this;
  }

  public int sdkMaxAttempts() {
    return sdkMaxAttempts;
  }

  /** Attempts per request inside the SDK (its standard retry strategy). */
  public S3Settings sdkMaxAttempts(int n) {
    this.sdkMaxAttempts = n;
    return this;
  }

  public int partMaxAttempts() {
    return partMaxAttempts;
  }

  /** Attempts per part or ranged read in Stasis's own retry loop, around the SDK's. */
  public S3Settings partMaxAttempts(int n) {
    this.partMaxAttempts = n;
    return this;
  }

  /** Settings from the standard AWS variables: AWS_REGION, AWS_ENDPOINT_URL(_S3), keys. */
  public static S3Settings fromEnvironment(java.util.Map<String, String> env) {
    S3Settings s = new S3Settings();
    s.region(env.getOrDefault("AWS_REGION", env.get("AWS_DEFAULT_REGION")));
    String endpoint = env.get("AWS_ENDPOINT_URL_S3");
    if (blankToNull(endpoint) == null) {
      endpoint = env.get("AWS_ENDPOINT_URL");
    }
    s.endpoint(endpoint);
    s.credentials(
        env.get("AWS_ACCESS_KEY_ID"),
        env.get("AWS_SECRET_ACCESS_KEY"),
        env.get("AWS_SESSION_TOKEN"));
    return s;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** A directory bucket (S3 Express One Zone): {@code name--<az-id>--x-s3}. */
  public static boolean isDirectoryBucket(String bucket) {
    return bucket.endsWith("--x-s3");
  }
}
