package dev.stasis.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.testsupport.crd.CrdValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What users see of the CRDs through kubectl: names, scope, columns, status subresource. */
class CrdShapeTest {
  private static JsonNode crd(String file) {
    return CrdValidator.readDocuments(GeneratedCrds.repoRoot().resolve(Path.of("crds", file)))
        .get(0);
  }

  private static List<String> columns(JsonNode crd, boolean wide) {
    List<String> names = new ArrayList<>();
    for (JsonNode c : crd.path("spec").path("versions").get(0).path("additionalPrinterColumns")) {
      if (wide || c.path("priority").asInt() == 0) {
        names.add(c.path("name").asText());
      }
    }
    return names;
  }

  @Test
  void checkpoints() {
    JsonNode crd = crd("checkpoints.stasis.dev-v1.yml");
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("ckpt");
    assertThat(crd.at("/spec/names/categories/0").asText()).isEqualTo("stasis");
    assertThat(columns(crd, false)).containsExactly("POD", "PHASE", "SIZE", "PATH", "AGE");
    assertThat(columns(crd, true))
        .containsExactly(
            "POD", "PHASE", "SIZE", "PATH", "AGE", "NODE", "STORAGE", "TARGET", "SPREAD");
    assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
  }

  @Test
  void restores() {
    JsonNode crd = crd("restores.stasis.dev-v1.yml");
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("rst");
    assertThat(columns(crd, false)).containsExactly("PHASE", "CHECKPOINT", "POD", "AGE");
    assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
  }

  @Test
  void storages() {
    JsonNode crd = crd("checkpointstorages.stasis.dev-v1.yml");
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Cluster");
    assertThat(crd.at("/spec/names/shortNames/0").asText()).isEqualTo("ckstore");
    assertThat(columns(crd, false)).containsExactly("TYPE", "PHASE", "DEFAULT", "AGE");
    assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
  }

  @Test
  void conditionsHaveTheKubernetesShape() {
    JsonNode condition =
        crd("checkpoints.stasis.dev-v1.yml")
            .at(
                "/spec/versions/0/schema/openAPIV3Schema/properties/status/properties/conditions/items/properties");
    assertThat(condition.fieldNames())
        .toIterable()
        .contains(
            "type", "status", "reason", "message", "lastTransitionTime", "observedGeneration");
  }
}
