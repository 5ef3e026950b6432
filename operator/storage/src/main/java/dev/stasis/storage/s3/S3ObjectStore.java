package dev.stasis.storage.s3;

import dev.stasis.api.Stasis;
import dev.stasis.storage.BackendObjectStore;
import dev.stasis.storage.IntegrityException;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.Retry;
import dev.stasis.storage.SdkRequests;
import dev.stasis.storage.StorageException;
import dev.stasis.storage.StorageUri;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Amazon S3, S3 directory buckets and S3-compatible servers, through the AWS SDK v2 synchronous
 * client. Uploads are S3 multipart uploads ({@link S3MultipartUpload}), parts in parallel.
 */
public final class S3ObjectStore extends BackendObjectStore {
  private final CompletableFuture<S3Client> client;
  private final String bucket;
  private final S3Settings settings;
  private final SdkRequests<SdkException> requests;
  private final boolean ownsClient;

  public S3ObjectStore(S3Client s3, String bucket, S3Settings settings, boolean ownsClient) {
    this(CompletableFuture.completedFuture(s3), bucket, settings, ownsClient);
  }

  private S3ObjectStore(
      CompletableFuture<S3Client> client, String bucket, S3Settings settings, boolean ownsClient) {
    this.client = client;
    this.bucket = bucket;
    this.settings = settings;
    this.requests =
        new SdkRequests<>(
            new Retry(Math.max(1, settings.partMaxAttempts()), 250, 8_000),
            SdkException.class,
            this::uri,
            this::error);
    this.ownsClient = ownsClient;
  }

  /**
   * A store with its own client, built from {@code settings}. The settings are checked here (a bad
   * region throws now); the client itself is constructed on a thread of its own, so that a caller
   * can start reading and compressing an archive meanwhile: the first request waits for it.
   */
  public static S3ObjectStore create(String bucket, S3Settings settings) {
    S3ClientBuilder builder = S3Clients.builder(settings);
    CompletableFuture<S3Client> client = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                client.complete(builder.build());
              } catch (Throwable e) {
                client.completeExceptionally(e);
              }
            },
            "stasis-s3-client");
    t.setDaemon(true);
    t.start();
    return new S3ObjectStore(client, bucket, settings, true);
  }

  /** The SDK client (waits for it, if it is still being built). */
  public S3Client client() {
    try {
      return client.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  public String bucket() {
    return bucket;
  }

  S3Settings settings() {
    return settings;
  }

  SdkRequests<SdkException> requests() {
    return requests;
  }

  @Override
  public URI uri(String key) {
    return StorageUri.uriOf(Stasis.SCHEME_S3, bucket, key);
  }

  /** Maps an SDK failure to a StorageException that names the object. */
  StorageException error(String what, String key, SdkException e) {
    int status = e instanceof S3Exception s3e ? s3e.statusCode() : 0;
    boolean retryable =
        e.retryable()
            || SdkRequests.transientStatus(status)
            || (e instanceof SdkClientException && !(e.getCause() instanceof RuntimeException));
    String detail;
    if (e instanceof S3Exception s3e && s3e.awsErrorDetails() != null) {
      detail =
          "HTTP "
              + status
              + " "
              + s3e.awsErrorDetails().errorCode()
              + ": "
              + s3e.awsErrorDetails().errorMessage();
    } else {
      detail = e.getMessage();
    }
    if (tlsRejected(e)) {
      // The same certificate will be rejected on every attempt.
      retryable = false;
      detail +=
          " (the server's TLS certificate is not trusted here: add its CA to the JVM's trust"
              + " store, javax.net.ssl.trustStore)";
    }
    return failed(what, key, detail, retryable, e);
  }

  private static boolean tlsRejected(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof javax.net.ssl.SSLHandshakeException
          || t instanceof javax.net.ssl.SSLPeerUnverifiedException
          || t instanceof java.security.cert.CertificateException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    HeadObjectResponse h =
        requests.sendOrNull(
            "HEAD",
            key,
            e ->
                e instanceof NoSuchKeyException
                    || e instanceof S3Exception s3e && s3e.statusCode() == 404,
            () -> client().headObject(r -> r.bucket(bucket).key(key)));
    if (h == null) {
      return Optional.empty();
    }
    return Optional.of(new ObjectInfo(key, h.contentLength(), h.eTag(), h.lastModified()));
  }

  @Override
  protected Ranges openVersion(String key, ObjectInfo info) {
    return (offset, dst, dstOffset, length) -> {
      String bytes = offset + "-" + (offset + length - 1);
      requests.send(
          "GET",
          key,
          " bytes " + bytes,
          () -> {
            GetObjectRequest req =
                GetObjectRequest.builder()
                    .bucket(bucket)
                    .key(key)
                    .range("bytes=" + bytes)
                    .ifMatch(info.version())
                    .build();
            try (InputStream in = client().getObject(req, ResponseTransformer.toInputStream())) {
              int n = in.readNBytes(dst, dstOffset, length);
              if (n < length) {
                throw new IntegrityException(
                    uri(key)
                        + " is shorter than expected: range at "
                        + offset
                        + " returned "
                        + n
                        + " of "
                        + length
                        + " bytes");
              }
              return null;
            } catch (S3Exception e) {
              if (e.statusCode() == 412) {
                throw new StorageException(uri(key) + " changed while it was being read", false, e);
              }
              throw e;
            }
          });
    };
  }

  @Override
  public byte[] readAll(String key) throws IOException {
    return requests.readAll(
        key,
        e -> e instanceof NoSuchKeyException,
        () -> client().getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
  }

  static RequestBody body(byte[] data, int length, String contentType) {
    return RequestBody.fromContentProvider(
        () -> new ByteArrayInputStream(data, 0, length), length, contentType);
  }

  @Override
  public void put(String key, byte[] data, int length, String contentType) throws IOException {
    requests.send(
        "PUT",
        key,
        () -> {
          PutObjectRequest.Builder r =
              PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType);
          settings.applyToNewObject(r::storageClass, r::serverSideEncryption, r::ssekmsKeyId);
          return client().putObject(r.build(), body(data, length, contentType));
        });
  }

  @Override
  public ObjectUpload startUpload(String key, String contentType, int partSize) throws IOException {
    return S3MultipartUpload.start(this, key, contentType);
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    // Directory buckets only accept prefixes that end in the delimiter.
    String p = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    return requests.send(
        "LIST",
        p,
        () -> {
          List<ObjectInfo> out = new ArrayList<>();
          ListObjectsV2Request.Builder r = ListObjectsV2Request.builder().bucket(bucket);
          if (!p.isEmpty()) {
            r.prefix(p);
          }
          for (S3Object o : client().listObjectsV2Paginator(r.build()).contents()) {
            out.add(new ObjectInfo(o.key(), o.size(), o.eTag(), o.lastModified()));
          }
          return out;
        });
  }

  @Override
  public void delete(String key) throws IOException {
    requests.sendOrNull(
        "DELETE",
        key,
        e -> e instanceof NoSuchKeyException,
        () -> client().deleteObject(b -> b.bucket(bucket).key(key)));
  }

  @Override
  public int abortUploads(String prefix) throws IOException {
    List<MultipartUpload> open =
        requests.send(
            "ListMultipartUploads",
            prefix,
            () -> {
              List<MultipartUpload> out = new ArrayList<>();
              client()
                  .listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(prefix))
                  .uploads()
                  .forEach(out::add);
              return out;
            });
    for (MultipartUpload u : open) {
      requests.sendOrNull(
          "AbortMultipartUpload",
          u.key(),
          e -> e instanceof S3Exception s3e && s3e.statusCode() == 404,
          () ->
              client()
                  .abortMultipartUpload(b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
    }
    return open.size();
  }

  @Override
  public int minPartSize() {
    return settings.minPartSize();
  }

  @Override
  public int maxParts() {
    return 10_000;
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.thenAccept(S3Client::close);
    }
  }
}
