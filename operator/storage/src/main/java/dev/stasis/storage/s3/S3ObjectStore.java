package dev.stasis.storage.s3;

import dev.stasis.api.Stasis;
import dev.stasis.storage.IntegrityException;
import dev.stasis.storage.NoSuchObjectException;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.ObjectReader;
import dev.stasis.storage.ObjectStore;
import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.Retry;
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
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Amazon S3, S3 directory buckets and S3-compatible servers, through the AWS SDK v2 synchronous
 * client. Uploads are S3 multipart uploads, parts in parallel; a failed upload is aborted.
 */
public final class S3ObjectStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);

  private final CompletableFuture<S3Client> client;
  private final String bucket;
  private final S3Settings settings;
  private final Retry retry;
  private final boolean ownsClient;

  public S3ObjectStore(S3Client s3, String bucket, S3Settings settings, boolean ownsClient) {
    this(CompletableFuture.completedFuture(s3), bucket, settings, ownsClient);
  }

  private S3ObjectStore(
      CompletableFuture<S3Client> client, String bucket, S3Settings settings, boolean ownsClient) {
    this.client = client;
    this.bucket = bucket;
    this.settings = settings;
    this.retry = new Retry(Math.max(1, settings.partMaxAttempts()), 250, 8_000);
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

  @Override
  public URI uri(String key) {
    return StorageUri.uriOf(Stasis.SCHEME_S3, bucket, key);
  }

  /** Maps an SDK failure to a StorageException that names the object. */
  StorageException error(String what, String key, SdkException e) {
    int status = e instanceof S3Exception s3e ? s3e.statusCode() : 0;
    boolean retryable =
        e.retryable()
            || status >= 500
            || status == 429
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
    return new StorageException(what + " " + uri(key) + " failed: " + detail, retryable, e);
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

  private static boolean retryable(IOException e) {
    return Retry.isRetryable(e);
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    try {
      HeadObjectResponse h =
          retry.call(
              "HEAD " + uri(key),
              S3ObjectStore::retryable,
              () -> {
                try {
                  return client().headObject(r -> r.bucket(bucket).key(key));
                } catch (NoSuchKeyException e) {
                  return null;
                } catch (S3Exception e) {
                  if (e.statusCode() == 404) {
                    return null;
                  }
                  throw error("HEAD", key, e);
                } catch (SdkException e) {
                  throw error("HEAD", key, e);
                }
              });
      if (h == null) {
        return Optional.empty();
      }
      return Optional.of(new ObjectInfo(key, h.contentLength(), h.eTag(), h.lastModified()));
    } catch (StorageException e) {
      throw e;
    }
  }

  @Override
  public ObjectReader open(String key) throws IOException {
    ObjectInfo info = stat(key).orElseThrow(() -> new NoSuchObjectException(uri(key)));
    return new ObjectReader() {
      @Override
      public ObjectInfo info() {
        return info;
      }

      @Override
      public void readFully(long offset, byte[] dst, int dstOffset, int length) throws IOException {
        if (length == 0) {
          return;
        }
        retry.call(
            "GET " + uri(key) + " bytes " + offset + "-" + (offset + length - 1),
            S3ObjectStore::retryable,
            () -> {
              GetObjectRequest req =
                  GetObjectRequest.builder()
                      .bucket(bucket)
                      .key(key)
                      .range("bytes=" + offset + "-" + (offset + length - 1))
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
                  throw new StorageException(
                      uri(key) + " changed while it was being read", false, e);
                }
                throw error("GET", key, e);
              } catch (SdkException e) {
                throw error("GET", key, e);
              }
            });
      }
    };
  }

  @Override
  public byte[] readAll(String key) throws IOException {
    return retry.call(
        "GET " + uri(key),
        S3ObjectStore::retryable,
        () -> {
          try {
            return client().getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
          } catch (NoSuchKeyException e) {
            throw new NoSuchObjectException(uri(key));
          } catch (SdkException e) {
            throw error("GET", key, e);
          }
        });
  }

  private static RequestBody body(byte[] data, int length, String contentType) {
    return RequestBody.fromContentProvider(
        () -> new ByteArrayInputStream(data, 0, length), length, contentType);
  }

  @Override
  public void put(String key, byte[] data, int length, String contentType) throws IOException {
    retry.call(
        "PUT " + uri(key),
        S3ObjectStore::retryable,
        () -> {
          try {
            PutObjectRequest.Builder r =
                PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType);
            if (settings.storageClass() != null) {
              r.storageClass(settings.storageClass());
            }
            if (settings.sseAlgorithm() != null) {
              r.serverSideEncryption(ServerSideEncryption.fromValue(settings.sseAlgorithm()));
              if (settings.sseKmsKeyId() != null) {
                r.ssekmsKeyId(settings.sseKmsKeyId());
              }
            }
            client().putObject(r.build(), body(data, length, contentType));
            return null;
          } catch (SdkException e) {
            throw error("PUT", key, e);
          }
        });
  }

  @Override
  public ObjectUpload startUpload(String key, String contentType, int partSize) throws IOException {
    String uploadId =
        retry.call(
            "CreateMultipartUpload " + uri(key),
            S3ObjectStore::retryable,
            () -> {
              try {
                CreateMultipartUploadRequest.Builder r =
                    CreateMultipartUploadRequest.builder()
                        .bucket(bucket)
                        .key(key)
                        .contentType(contentType);
                if (settings.storageClass() != null) {
                  r.storageClass(settings.storageClass());
                }
                if (settings.sseAlgorithm() != null) {
                  r.serverSideEncryption(ServerSideEncryption.fromValue(settings.sseAlgorithm()));
                  if (settings.sseKmsKeyId() != null) {
                    r.ssekmsKeyId(settings.sseKmsKeyId());
                  }
                }
                return client().createMultipartUpload(r.build()).uploadId();
              } catch (SdkException e) {
                throw error("CreateMultipartUpload", key, e);
              }
            });
    return new Upload(key, uploadId);
  }

  private final class Upload implements ObjectUpload {
    private final String key;
    private final String uploadId;
    private final ConcurrentSkipListMap<Integer, CompletedPart> parts =
        new ConcurrentSkipListMap<>();

    Upload(String key, String uploadId) {
      this.key = key;
      this.uploadId = uploadId;
    }

    @Override
    public void uploadPart(int partNumber, byte[] data, int length) throws IOException {
      UploadPartResponse r =
          retry.call(
              "UploadPart " + partNumber + " of " + uri(key),
              S3ObjectStore::retryable,
              () -> {
                try {
                  return client()
                      .uploadPart(
                          b ->
                              b.bucket(bucket)
                                  .key(key)
                                  .uploadId(uploadId)
                                  .partNumber(partNumber)
                                  .contentLength((long) length),
                          body(data, length, "application/octet-stream"));
                } catch (SdkException e) {
                  throw error("UploadPart " + partNumber + " of", key, e);
                }
              });
      parts.put(partNumber, CompletedPart.builder().partNumber(partNumber).eTag(r.eTag()).build());
    }

    @Override
    public void complete(int partCount) throws IOException {
      List<CompletedPart> list = new ArrayList<>(parts.values());
      if (list.size() != partCount) {
        throw new StorageException(
            uri(key) + ": " + list.size() + " of " + partCount + " parts were stored");
      }
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i).partNumber() != i + 1) {
          throw new StorageException("part " + (i + 1) + " of " + uri(key) + " is missing");
        }
      }
      retry.call(
          "CompleteMultipartUpload " + uri(key),
          S3ObjectStore::retryable,
          () -> {
            try {
              client()
                  .completeMultipartUpload(
                      b ->
                          b.bucket(bucket)
                              .key(key)
                              .uploadId(uploadId)
                              .multipartUpload(m -> m.parts(list)));
              return null;
            } catch (S3Exception e) {
              if (e.statusCode() == 404) {
                // A retried Complete after a lost response: the upload is gone; is the object
                // there?
                if (stat(key).isPresent()) {
                  return null;
                }
              }
              throw error("CompleteMultipartUpload", key, e);
            } catch (SdkException e) {
              throw error("CompleteMultipartUpload", key, e);
            }
          });
    }

    @Override
    public void abort() {
      try {
        retry.call(
            "AbortMultipartUpload " + uri(key),
            S3ObjectStore::retryable,
            () -> {
              try {
                client().abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                return null;
              } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                  return null;
                }
                throw error("AbortMultipartUpload", key, e);
              } catch (SdkException e) {
                throw error("AbortMultipartUpload", key, e);
              }
            });
        LOG.debug("aborted multipart upload {} of {}", uploadId, uri(key));
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not abort multipart upload {} of {}: {}", uploadId, uri(key), e.toString());
      }
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    // Directory buckets only accept prefixes that end in the delimiter.
    String p = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    return retry.call(
        "LIST " + uri(p),
        S3ObjectStore::retryable,
        () -> {
          try {
            List<ObjectInfo> out = new ArrayList<>();
            ListObjectsV2Request.Builder r = ListObjectsV2Request.builder().bucket(bucket);
            if (!p.isEmpty()) {
              r.prefix(p);
            }
            for (S3Object o : client().listObjectsV2Paginator(r.build()).contents()) {
              out.add(new ObjectInfo(o.key(), o.size(), o.eTag(), o.lastModified()));
            }
            return out;
          } catch (SdkException e) {
            throw error("LIST", p, e);
          }
        });
  }

  @Override
  public void delete(String key) throws IOException {
    retry.call(
        "DELETE " + uri(key),
        S3ObjectStore::retryable,
        () -> {
          try {
            client().deleteObject(b -> b.bucket(bucket).key(key));
            return null;
          } catch (NoSuchKeyException e) {
            return null;
          } catch (SdkException e) {
            throw error("DELETE", key, e);
          }
        });
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
