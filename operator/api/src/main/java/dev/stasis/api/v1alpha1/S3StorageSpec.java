package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Amazon S3 or an S3-compatible server. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3StorageSpec {
  @Required
  @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
  @JsonPropertyDescription(
      "Bucket name. Directory buckets (S3 Express One Zone, named <name>--<az-id>--x-s3) are"
          + " supported like any other bucket.")
  private String bucket;

  @Pattern("^[^/].*$")
  @JsonPropertyDescription(
      "Key prefix under which checkpoints are stored, without a leading slash. Objects go to"
          + " <prefix>/<namespace>/<pod>/<checkpoint>-<uid>/.")
  private String prefix;

  @JsonPropertyDescription(
      "AWS region of the bucket. Empty uses the default region chain (AWS_REGION, instance"
          + " metadata).")
  private String region;

  @Pattern("^https?://[^\\s]+$")
  @JsonPropertyDescription(
      "Endpoint URL of an S3-compatible server (MinIO, Ceph RGW, R2, ...). Empty for AWS.")
  private String endpoint;

  @Default("false")
  @JsonPropertyDescription(
      "Address the bucket in the path (https://endpoint/bucket/key) instead of the host name."
          + " Needed by most S3-compatible servers; an endpoint that is an IP address or"
          + " localhost implies it.")
  private Boolean forcePathStyle = false;

  @Pattern("^[A-Z_]+$")
  @JsonPropertyDescription(
      "Storage class of the objects, for example STANDARD, STANDARD_IA, INTELLIGENT_TIERING,"
          + " EXPRESS_ONEZONE. Empty uses the bucket's default.")
  private String storageClass;

  @JsonPropertyDescription(
      "Server-side encryption of the objects. Empty uses the bucket's default.")
  private ServerSideEncryption serverSideEncryption;

  @JsonPropertyDescription(
      "Secret with keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optionally"
          + " AWS_SESSION_TOKEN. Empty uses the default AWS credential chain (IRSA, EKS Pod"
          + " Identity, instance profile).")
  private SecretRef credentialsSecret;

  public String getBucket() {
    return bucket;
  }

  public void setBucket(String bucket) {
    this.bucket = bucket;
  }

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public Boolean getForcePathStyle() {
    return forcePathStyle;
  }

  public void setForcePathStyle(Boolean forcePathStyle) {
    this.forcePathStyle = forcePathStyle;
  }

  public String getStorageClass() {
    return storageClass;
  }

  public void setStorageClass(String storageClass) {
    this.storageClass = storageClass;
  }

  public ServerSideEncryption getServerSideEncryption() {
    return serverSideEncryption;
  }

  public void setServerSideEncryption(ServerSideEncryption serverSideEncryption) {
    this.serverSideEncryption = serverSideEncryption;
  }

  public SecretRef getCredentialsSecret() {
    return credentialsSecret;
  }

  public void setCredentialsSecret(SecretRef credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }
}
