package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The stored archive of one container. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ContainerCheckpointStatus {
  @JsonPropertyDescription("Container name.")
  private String name;

  @JsonPropertyDescription("Image the container ran.")
  private String image;

  @JsonPropertyDescription("URI of the stored archive.")
  private String object;

  @JsonPropertyDescription("Compression of the stored archive.")
  private Compression compression;

  @JsonPropertyDescription("Size of the kubelet's checkpoint archive, in bytes.")
  private Long archiveBytes;

  @JsonPropertyDescription("Size of the stored (compressed) object, in bytes.")
  private Long storedBytes;

  @JsonPropertyDescription("SHA-256 of the kubelet's archive (before compression), hex.")
  private String sha256;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getObject() {
    return object;
  }

  public void setObject(String object) {
    this.object = object;
  }

  public Compression getCompression() {
    return compression;
  }

  public void setCompression(Compression compression) {
    this.compression = compression;
  }

  public Long getArchiveBytes() {
    return archiveBytes;
  }

  public void setArchiveBytes(Long archiveBytes) {
    this.archiveBytes = archiveBytes;
  }

  public Long getStoredBytes() {
    return storedBytes;
  }

  public void setStoredBytes(Long storedBytes) {
    this.storedBytes = storedBytes;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }
}
