package dev.stasis.storage.s3;

import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.SdkRequests;
import dev.stasis.storage.StoredParts;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** One S3 multipart upload: parts in parallel, completed in order; aborted, it leaves no parts. */
final class S3MultipartUpload implements ObjectUpload {
  private static final Logger LOG = LoggerFactory.getLogger(S3MultipartUpload.class);

  private final S3ObjectStore store;
  private final SdkRequests<SdkException> requests;
  private final String key;
  private final String uploadId;
  private final StoredParts<CompletedPart> parts;

  private S3MultipartUpload(S3ObjectStore store, String key, String uploadId) {
    this.store = store;
    this.requests = store.requests();
    this.key = key;
    this.uploadId = uploadId;
    this.parts = new StoredParts<>(store.uri(key));
  }

  /** Creates the multipart upload of {@code key}. */
  static S3MultipartUpload start(S3ObjectStore store, String key, String contentType)
      throws IOException {
    String uploadId =
        store
            .requests()
            .send(
                "CreateMultipartUpload",
                key,
                () -> {
                  CreateMultipartUploadRequest.Builder r =
                      CreateMultipartUploadRequest.builder()
                          .bucket(store.bucket())
                          .key(key)
                          .contentType(contentType);
                  store
                      .settings()
                      .applyToNewObject(r::storageClass, r::serverSideEncryption, r::ssekmsKeyId);
                  return store.client().createMultipartUpload(r.build()).uploadId();
                });
    return new S3MultipartUpload(store, key, uploadId);
  }

  @Override
  public void uploadPart(int partNumber, byte[] data, int length) throws IOException {
    UploadPartResponse r =
        requests.send(
            "UploadPart " + partNumber + " of",
            key,
            () ->
                store
                    .client()
                    .uploadPart(
                        b ->
                            b.bucket(store.bucket())
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(partNumber)
                                .contentLength((long) length),
                        S3ObjectStore.body(data, length, "application/octet-stream")));
    parts.add(partNumber, CompletedPart.builder().partNumber(partNumber).eTag(r.eTag()).build());
  }

  @Override
  public void complete(int partCount) throws IOException {
    List<CompletedPart> list = parts.all(partCount);
    requests.send(
        "CompleteMultipartUpload",
        key,
        () -> {
          try {
            return store
                .client()
                .completeMultipartUpload(
                    b ->
                        b.bucket(store.bucket())
                            .key(key)
                            .uploadId(uploadId)
                            .multipartUpload(m -> m.parts(list)));
          } catch (S3Exception e) {
            // A retried Complete after a lost response: the upload is gone; is the object there?
            if (e.statusCode() == 404 && store.stat(key).isPresent()) {
              return null;
            }
            throw e;
          }
        });
  }

  @Override
  public void abort() {
    try {
      requests.sendOrNull(
          "AbortMultipartUpload",
          key,
          e -> e instanceof S3Exception s3e && s3e.statusCode() == 404,
          () ->
              store
                  .client()
                  .abortMultipartUpload(b -> b.bucket(store.bucket()).key(key).uploadId(uploadId)));
      LOG.debug("aborted multipart upload {} of {}", uploadId, store.uri(key));
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "could not abort multipart upload {} of {}: {}", uploadId, store.uri(key), e.toString());
    }
  }
}
