package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A directory on the node, or on a volume mounted into the agent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FilesystemStorageSpec {
  @Required
  @Pattern("^/.*$")
  @JsonPropertyDescription(
      "Absolute path of the directory, as the agent sees it. A host directory is node-local:"
          + " a checkpoint stored there restores only on the same node unless the path is a"
          + " shared volume (NFS, EFS, Filestore).")
  private String path;

  public FilesystemStorageSpec() {}

  public FilesystemStorageSpec(String path) {
    this.path = path;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }
}
