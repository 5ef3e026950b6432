package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/** The typo detector RenderedManifestsTest relies on. */
class UnknownFieldsTest {
  @Test
  void namesAMisspeltNestedField() {
    HasMetadata ds =
        Serialization.unmarshal(
            """
            {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "a"},
             "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i",
               "securityContext": {"readOnlyRootFileSystem": true}}]}}}}
            """);
    assertThat(UnknownFields.of(ds))
        .containsExactly(
            ".spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem");
  }

  @Test
  void findsNothingInAValidObject() {
    HasMetadata ds =
        Serialization.unmarshal(
            """
            {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "a"},
             "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i",
               "securityContext": {"readOnlyRootFilesystem": true}}]}}}}
            """);
    assertThat(UnknownFields.of(ds)).isEmpty();
  }
}
