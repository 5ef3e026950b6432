package dev.stasis.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stasis.testsupport.crd.CrdValidator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the tests do with kubectl, on untyped objects so that what reaches the API server is what
 * the YAML says (a typed client would refuse an unknown enum value or drop an unknown field before
 * the API server could): {@code kubectl apply --server-side -f}, {@code kubectl get -o json}.
 */
final class Kubectl {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final KubernetesClient client;
  private final Map<String, ResourceDefinitionContext> kinds = new LinkedHashMap<>();

  Kubectl(KubernetesClient client, Path crdDirectory) {
    this.client = client;
    builtIn("", "v1", "Pod", "pods", true);
    builtIn("", "v1", "Secret", "secrets", true);
    builtIn("", "v1", "Namespace", "namespaces", false);
    builtIn("", "v1", "Node", "nodes", false);
    builtIn("apps", "v1", "Deployment", "deployments", true);
    try (Stream<Path> files = Files.list(crdDirectory)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
        JsonNode crd = YAML.readTree(f.toFile());
        JsonNode spec = crd.path("spec");
        for (JsonNode version : spec.path("versions")) {
          kinds.put(
              spec.path("group").asText()
                  + "/"
                  + version.path("name").asText()
                  + "/"
                  + spec.path("names").path("kind").asText(),
              new ResourceDefinitionContext.Builder()
                  .withGroup(spec.path("group").asText())
                  .withVersion(version.path("name").asText())
                  .withKind(spec.path("names").path("kind").asText())
                  .withPlural(spec.path("names").path("plural").asText())
                  .withNamespaced("Namespaced".equals(spec.path("scope").asText()))
                  .build());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void builtIn(String group, String version, String kind, String plural, boolean ns) {
    kinds.put(
        (group.isEmpty() ? "" : group + "/") + version + "/" + kind,
        new ResourceDefinitionContext.Builder()
            .withGroup(group)
            .withVersion(version)
            .withKind(kind)
            .withPlural(plural)
            .withNamespaced(ns)
            .build());
  }

  /** The documents of a YAML text (a file may hold several, separated by ---). */
  static List<JsonNode> documents(String yaml) {
    List<JsonNode> out = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(yaml)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && d.isObject()) {
          out.add(d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * {@code kubectl apply --server-side -n <namespace> -f -}: each document, as written; returns
   * what the API server stored.
   */
  List<JsonNode> apply(List<JsonNode> documents, String namespace) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode d : documents) {
      GenericKubernetesResource r =
          Serialization.jsonMapper().convertValue(d, GenericKubernetesResource.class);
      var ctx = context(d.path("apiVersion").asText(), d.path("kind").asText());
      GenericKubernetesResource applied =
          resources(ctx, namespace)
              .resource(r)
              .fieldManager("kubectl")
              .forceConflicts()
              .serverSideApply();
      out.add(Serialization.jsonMapper().valueToTree(applied));
    }
    return out;
  }

  /** {@link #apply(List, String)} of a YAML text. */
  List<JsonNode> apply(String yaml, String namespace) {
    return apply(documents(yaml), namespace);
  }

  /** {@code kubectl get <kind> <name> -o json}; null when there is none. */
  JsonNode get(String apiVersion, String kind, String namespace, String name) {
    GenericKubernetesResource r =
        resources(context(apiVersion, kind), namespace).withName(name).get();
    return r == null ? null : Serialization.jsonMapper().valueToTree(r);
  }

  /** {@code kubectl get <kind> -o json}: the items, in the order the server lists them. */
  List<JsonNode> list(String apiVersion, String kind, String namespace) {
    List<JsonNode> out = new ArrayList<>();
    for (GenericKubernetesResource r :
        resources(context(apiVersion, kind), namespace).list().getItems()) {
      out.add(Serialization.jsonMapper().valueToTree(r));
    }
    return out;
  }

  /** A Stasis resource: {@code kubectl get checkpoint counter-1 -o json}. */
  JsonNode stasis(String kind, String namespace, String name) {
    return get("stasis.dev/v1alpha1", kind, namespace, name);
  }

  private ResourceDefinitionContext context(String apiVersion, String kind) {
    ResourceDefinitionContext ctx = kinds.get(apiVersion + "/" + kind);
    if (ctx == null) {
      throw new IllegalArgumentException("kubectl here knows no " + kind + " in " + apiVersion);
    }
    return ctx;
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources(ResourceDefinitionContext ctx, String namespace) {
    var all = client.genericKubernetesResources(ctx);
    return ctx.isNamespaceScoped() ? all.inNamespace(namespace) : all;
  }

  /** The validator's own messages for a document, to compare with the API server's answer. */
  static List<String> expectedErrors(CrdValidator validator, JsonNode document) {
    return validator.validateCreate(document).errors();
  }
}
