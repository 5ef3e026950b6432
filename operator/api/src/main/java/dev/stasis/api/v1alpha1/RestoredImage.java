package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The checkpoint image built for one container. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoredImage {
  @JsonPropertyDescription("Container name.")
  private String container;

  @JsonPropertyDescription("Image reference pushed, registry/repository:tag.")
  private String image;

  @JsonPropertyDescription("Manifest digest of the pushed image (sha256:...).")
  private String digest;

  public RestoredImage() {}

  public RestoredImage(String container, String image, String digest) {
    this.container = container;
    this.image = image;
    this.digest = digest;
  }

  public String getContainer() {
    return container;
  }

  public void setContainer(String container) {
    this.container = container;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getDigest() {
    return digest;
  }

  public void setDigest(String digest) {
    this.digest = digest;
  }
}
