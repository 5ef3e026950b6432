package dev.stasis.storage.s3;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/** Builds the SDK client from {@link S3Settings}. */
public final class S3Clients {
  private S3Clients() {}

  public static AwsCredentialsProvider credentials(S3Settings s) {
    if (s.accessKeyId() != null && s.secretAccessKey() != null) {
      return StaticCredentialsProvider.create(
          s.sessionToken() != null
              ? AwsSessionCredentials.create(s.accessKeyId(), s.secretAccessKey(), s.sessionToken())
              : AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey()));
    }
    // Environment, system properties, web identity token (IRSA), profile, container
    // credentials (EKS Pod Identity), instance profile.
    return DefaultCredentialsProvider.builder().build();
  }

  static Region region(S3Settings s) {
    if (s.region() != null) {
      return Region.of(s.region());
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (RuntimeException e) {
      if (s.endpoint() != null) {
        return Region.US_EAST_1; // S3-compatible servers mostly ignore it
      }
      throw new IllegalArgumentException(
          "no AWS region: set region in the CheckpointStorage, AWS_REGION or --region", e);
    }
  }

  public static S3Client build(S3Settings s) {
    return builder(s).build();
  }

  /**
   * The client's builder, with everything that can be wrong in the settings (region, credentials)
   * already checked: {@code build()} then only constructs the client (about 0.2 s of class loading
   * and set-up in a fresh JVM).
   */
  static S3ClientBuilder builder(S3Settings s) {
    S3ClientBuilder b =
        S3Client.builder()
            .region(region(s))
            .credentialsProvider(credentials(s))
            .forcePathStyle(s.effectivePathStyle())
            .httpClientBuilder(
                ApacheHttpClient.builder()
                    .maxConnections(s.maxConnections())
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60))
                    .tcpKeepAlive(true))
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(s.sdkMaxAttempts())
                            .build()));
    if (s.endpoint() != null) {
      b.endpointOverride(s.endpoint());
      // S3-compatible servers vary in their support of the newer default (trailing CRC
      // checksums in aws-chunked bodies); Stasis verifies SHA-256 end to end anyway.
      b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
      b.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
      if ("http".equalsIgnoreCase(s.endpoint().getScheme())) {
        // Over plain http the SDK signs every payload. By default it does so as aws-chunked
        // (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): a signature per 128 KiB chunk, and a body the
        // server must de-chunk. Parts are in memory, so hash each part once and send it as is
        // (x-amz-content-sha256: <hex>), like the AWS CLI does. Over https payloads are not
        // signed (UNSIGNED-PAYLOAD) and this does not apply.
        b.serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build());
      }
    }
    // Directory buckets (name--<az-id>--x-s3): the SDK recognises the name and signs with
    // S3 Express session credentials (CreateSession) on its own; nothing to switch on here.
    return b;
  }
}
