package dev.stasis.testsupport.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the in-JVM API server shares with a real one, beyond fabric8's mock server. */
class StasisApiServerTest {
  private static final Path CRDS = Path.of("..", "..", "crds");
  private static final ResourceDefinitionContext CHECKPOINTS =
      new ResourceDefinitionContext.Builder()
          .withGroup("stasis.dev")
          .withVersion("v1alpha1")
          .withPlural("checkpoints")
          .withKind("Checkpoint")
          .withNamespaced(true)
          .build();

  private static StasisApiServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    server = new StasisApiServer(CRDS, new TokenReviews());
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void everyCreatedObjectHasARandomUidThatItKeepsAndThatTheAnswerCarries() {
    Set<String> uids = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      ConfigMap created =
          client
              .configMaps()
              .inNamespace("default")
              .resource(
                  new ConfigMapBuilder()
                      .withNewMetadata()
                      .withName("cm-" + i)
                      .endMetadata()
                      .addToData("k", "v")
                      .build())
              .create();
      String uid = created.getMetadata().getUid();
      assertThat(UUID.fromString(uid).version()).as(uid).isEqualTo(4);
      assertThat(client.configMaps().inNamespace("default").withName("cm-" + i).get())
          .extracting(c -> c.getMetadata().getUid())
          .isEqualTo(uid);
      uids.add(uid);
    }
    // Random, not numbered: their first 8 characters (a checkpoint path's suffix) differ too.
    assertThat(uids.stream().map(u -> u.substring(0, 8)).distinct()).hasSize(20);
  }

  @Test
  void anObjectDeletedAndCreatedAgainUnderItsNameIsANewObject() {
    String yaml =
        """
        apiVersion: stasis.dev/v1alpha1
        kind: Checkpoint
        metadata:
          name: counter-1
          namespace: default
        spec:
          podName: counter
        """;
    var checkpoints = client.genericKubernetesResources(CHECKPOINTS).inNamespace("default");
    GenericKubernetesResource first =
        checkpoints
            .resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class))
            .create();
    assertThat(checkpoints.withName("counter-1").delete()).isNotEmpty();
    GenericKubernetesResource second =
        checkpoints
            .resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class))
            .create();

    assertThat(second.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());
    assertThat(checkpoints.withName("counter-1").get().getMetadata().getUid())
        .isEqualTo(second.getMetadata().getUid());
    // An update keeps the UID.
    GenericKubernetesResource labelled =
        checkpoints
            .withName("counter-1")
            .edit(
                c -> {
                  c.getMetadata().setLabels(java.util.Map.of("a", "b"));
                  return c;
                });
    assertThat(labelled.getMetadata().getUid()).isEqualTo(second.getMetadata().getUid());
  }

  @Test
  void aBindingSetsThePodsNodeOnce() {
    var pods = client.pods().inNamespace("default");
    pods.resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("web")
                .withImage("nginx")
                .endContainer()
                .endSpec()
                .build())
        .create();
    client.bindings().inNamespace("default").resource(binding("web", "node-a")).create();
    assertThat(pods.withName("web").get().getSpec().getNodeName()).isEqualTo("node-a");

    KubernetesClientException again =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                client
                    .bindings()
                    .inNamespace("default")
                    .resource(binding("web", "node-b"))
                    .create());
    assertThat(again.getCode()).isEqualTo(409);
    assertThat(again.getMessage()).contains("already assigned to node \"node-a\"");
    assertThat(pods.withName("web").get().getSpec().getNodeName()).isEqualTo("node-a");
  }

  private static Binding binding(String pod, String node) {
    return new BindingBuilder()
        .withNewMetadata()
        .withName(pod)
        .endMetadata()
        .withNewTarget()
        .withApiVersion("v1")
        .withKind("Node")
        .withName(node)
        .endTarget()
        .build();
  }
}
