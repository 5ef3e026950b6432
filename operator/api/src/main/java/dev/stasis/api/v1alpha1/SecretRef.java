package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.stasis.api.Stasis;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A reference to a Secret holding credentials. The keys it must hold depend on the backend. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretRef {
  @Required
  @Pattern(Stasis.NAME_PATTERN)
  @JsonPropertyDescription("Name of the Secret.")
  private String name;

  @Pattern(Stasis.LABEL_NAME_PATTERN)
  @JsonPropertyDescription(
      "Namespace of the Secret. Defaults to the namespace the operator runs in; the operator"
          + " is only granted read access to Secrets there unless the chart says otherwise.")
  private String namespace;

  public SecretRef() {}

  public SecretRef(String name, String namespace) {
    this.name = name;
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }
}
