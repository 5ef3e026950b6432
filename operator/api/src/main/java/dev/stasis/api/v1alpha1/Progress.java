package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How far a transfer has come. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Progress {
  @JsonPropertyDescription("Bytes of archive moved so far.")
  private Long bytesDone;

  @JsonPropertyDescription("Bytes of archive in all, once known.")
  private Long totalBytes;

  public Progress() {}

  public Progress(Long bytesDone, Long totalBytes) {
    this.bytesDone = bytesDone;
    this.totalBytes = totalBytes;
  }

  public Long getBytesDone() {
    return bytesDone;
  }

  public void setBytesDone(Long bytesDone) {
    this.bytesDone = bytesDone;
  }

  public Long getTotalBytes() {
    return totalBytes;
  }

  public void setTotalBytes(Long totalBytes) {
    this.totalBytes = totalBytes;
  }
}
