package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** The global store: every checkpoint written to several member storages. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.writeQuorum) || self.writeQuorum <= size(self.members)",
    message = "writeQuorum cannot exceed the number of members",
    fieldPath = ".writeQuorum")
@ValidationRule(
    value = "self.members.all(m, self.members.exists_one(n, n == m))",
    message = "members must not repeat",
    fieldPath = ".members")
public class ReplicatedStorageSpec {
  @Required
  @Size(min = 2, max = 8)
  @JsonPropertyDescription(
      "Names of the member CheckpointStorages (s3, gcs or filesystem; not replicated). Reads"
          + " use the first healthy member, in this order, that holds the checkpoint.")
  private List<String> members = new ArrayList<>();

  @Min(1)
  @JsonPropertyDescription(
      "How many members must have stored a checkpoint before it counts as written. Default:"
          + " a majority of the members.")
  private Integer writeQuorum;

  public List<String> getMembers() {
    return members;
  }

  public void setMembers(List<String> members) {
    this.members = members;
  }

  public Integer getWriteQuorum() {
    return writeQuorum;
  }

  public void setWriteQuorum(Integer writeQuorum) {
    this.writeQuorum = writeQuorum;
  }

  /** The quorum in force: the configured one, else a majority. */
  public int effectiveWriteQuorum() {
    return writeQuorum != null ? writeQuorum : members.size() / 2 + 1;
  }
}
