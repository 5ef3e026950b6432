package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** S3 server-side encryption of the objects Stasis writes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.kmsKeyId) || self.algorithm != 'AES256'",
    message = "kmsKeyId is only valid with algorithm aws:kms or aws:kms:dsse",
    fieldPath = ".kmsKeyId")
public class ServerSideEncryption {
  /** The S3 SSE algorithms. */
  public enum Algorithm {
    @JsonProperty("AES256")
    AES256,
    @JsonProperty("aws:kms")
    AWS_KMS,
    @JsonProperty("aws:kms:dsse")
    AWS_KMS_DSSE
  }

  @Required
  @JsonPropertyDescription(
      "Encryption algorithm: AES256 (SSE-S3), aws:kms (SSE-KMS) or aws:kms:dsse (DSSE-KMS).")
  private Algorithm algorithm;

  @JsonPropertyDescription(
      "KMS key ID or ARN for aws:kms and aws:kms:dsse. Empty uses the bucket's default key.")
  private String kmsKeyId;

  public Algorithm getAlgorithm() {
    return algorithm;
  }

  public void setAlgorithm(Algorithm algorithm) {
    this.algorithm = algorithm;
  }

  public String getKmsKeyId() {
    return kmsKeyId;
  }

  public void setKmsKeyId(String kmsKeyId) {
    this.kmsKeyId = kmsKeyId;
  }
}
