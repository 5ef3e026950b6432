package dev.stasis.e2e.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.api.v1alpha1.StoragePhase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stasis on a real cluster: installs the Helm chart (with the images this build made, on K3s),
 * applies the samples, and checks what a user would see. A K3s node has no CRIU, so there the
 * checkpoint must fail with a reason that says so; on a cluster whose runtime can checkpoint, set
 * {@code STASIS_E2E_EXPECT_CRIU=true} and the checkpoint must complete and restore.
 *
 * <p>Runs where Docker is present, or against {@code STASIS_E2E_KUBECONFIG}; skipped with the
 * reason otherwise. See e2e/README.md.
 */
@ExtendWith(RequiresCluster.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClusterTest {
  private static final String RELEASE = "stasis";
  private static final String SYSTEM_NS = "stasis-system";
  private static final String WORKLOAD_NS = "stasis-e2e";
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final boolean EXPECT_CRIU =
      Boolean.parseBoolean(System.getenv().getOrDefault("STASIS_E2E_EXPECT_CRIU", "false"));

  private static ClusterUnderTest cluster;
  private static KubernetesClient client;
  private static Path root;

  @BeforeAll
  static void installStasis() throws Exception {
    root = Path.of(System.getProperty("stasis.root"));
    cluster = ClusterUnderTest.start();
    client = cluster.client();

    InstallCommand install =
        new Helm(root.resolve("helm/stasis"))
            .install()
            .withName(RELEASE)
            .withNamespace(SYSTEM_NS)
            .createNamespace()
            .withKubeConfig(cluster.kubeconfig())
            .waitReady()
            .withTimeout((int) INSTALL_TIMEOUT.toSeconds());
    if (cluster.k3s().isPresent()) {
      LocalImages.buildAndLoad(cluster.k3s().get(), root, System.getProperty("stasis.version"));
      install
          .set("image.registry", LocalImages.REGISTRY)
          .set("image.tag", LocalImages.TAG)
          .set("image.pullPolicy", "Never")
          // K3s kubelets serve a self-signed certificate.
          .set("agent.kubelet.insecureSkipVerify", true);
    }
    install.call();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(WORKLOAD_NS).endMetadata().build())
        .serverSideApply();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void crdsOperatorAndAgentsAreUp() {
    assertThat(
            client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                .map(crd -> crd.getMetadata().getName()))
        .contains("checkpoints.stasis.dev", "restores.stasis.dev", "checkpointstorages.stasis.dev");
    List<Deployment> operators =
        client.apps().deployments().inNamespace(SYSTEM_NS).list().getItems();
    assertThat(operators).isNotEmpty();
    assertThat(operators)
        .allSatisfy(
            d -> assertThat(d.getStatus().getReadyReplicas()).isEqualTo(d.getSpec().getReplicas()));
    List<DaemonSet> agents = client.apps().daemonSets().inNamespace(SYSTEM_NS).list().getItems();
    assertThat(agents).hasSize(1);
    assertThat(agents.get(0).getStatus().getNumberReady())
        .isPositive()
        .isEqualTo(agents.get(0).getStatus().getDesiredNumberScheduled());
  }

  @Test
  @Order(2)
  void theDefaultStorageBecomesAvailable() {
    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () ->
                assertThat(client.resources(CheckpointStorage.class).list().getItems())
                    .anySatisfy(
                        s -> {
                          assertThat(s.getSpec().getIsDefault()).isTrue();
                          assertThat(s.getStatus()).isNotNull();
                          assertThat(s.getStatus().getPhase()).isEqualTo(StoragePhase.Available);
                        }));
  }

  @Test
  @Order(3)
  void theApiServerRejectsAnInvalidCheckpointNamingTheField() {
    Checkpoint bad =
        client
            .getKubernetesSerialization()
            .unmarshal(
                """
                apiVersion: stasis.dev/v1alpha1
                kind: Checkpoint
                metadata: {name: both}
                spec: {podName: counter, storage: x, dir: "s3://b/p"}
                """,
                Checkpoint.class);
    assertThatThrownBy(() -> client.resource(bad).inNamespace(WORKLOAD_NS).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("set at most one of storage and dir");
  }

  @Test
  @Order(4)
  void aCheckpointOfTheSampleWorkloadEndsAsTheRuntimeAllows() throws Exception {
    applySample("workload.yaml");
    await()
        .atMost(Duration.ofMinutes(3))
        .until(
            () -> {
              Pod pod = client.pods().inNamespace(WORKLOAD_NS).withName("counter").get();
              return pod != null && "Running".equals(pod.getStatus().getPhase());
            });
    String node =
        client.pods().inNamespace(WORKLOAD_NS).withName("counter").get().getSpec().getNodeName();

    applySample("checkpoint.yaml");
    await()
        .atMost(Duration.ofMinutes(5))
        .until(
            () -> {
              Checkpoint c = checkpoint("counter-1");
              return c.getStatus() != null
                  && c.getStatus().getPhase() != null
                  && c.getStatus().getPhase().isFinal();
            });
    Checkpoint done = checkpoint("counter-1");
    assertThat(done.getStatus().getNodeName()).isEqualTo(node);
    assertThat(done.getStatus().getStorage()).as("storage chosen for a plain node").isNotBlank();
    assertThat(done.getStatus().getStorageReason()).containsIgnoringCase("default");
    if (EXPECT_CRIU) {
      assertThat(done.getStatus().getPhase()).isEqualTo(CheckpointPhase.Completed);
      assertThat(done.getStatus().getSize()).isPositive();
      assertThat(done.getStatus().getPath()).startsWith("file://");
    } else {
      assertThat(done.getStatus().getPhase()).isEqualTo(CheckpointPhase.Failed);
      Condition ready =
          done.getStatus().getConditions().stream()
              .filter(c -> "Ready".equals(c.getType()))
              .findFirst()
              .orElseThrow();
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getReason()).isIn("CheckpointUnsupported", "ContainerNotFound");
      assertThat(done.getStatus().getMessage()).containsIgnoringCase("checkpoint");
      assertThat(done.getStatus().getPath())
          .as("a failed checkpoint has no path that could look complete")
          .isNull();
    }
  }

  @Test
  @Order(5)
  void aCompletedCheckpointRestoresAsANewPod() throws Exception {
    Assumptions.assumeTrue(
        EXPECT_CRIU, "restore needs a runtime with CRIU (set STASIS_E2E_EXPECT_CRIU=true)");
    applySample("restore.yaml");
    await()
        .atMost(Duration.ofMinutes(5))
        .until(
            () -> {
              Restore r =
                  client
                      .resources(Restore.class)
                      .inNamespace(WORKLOAD_NS)
                      .withName("counter-restore")
                      .get();
              return r.getStatus() != null
                  && r.getStatus().getPhase() != null
                  && r.getStatus().getPhase().isFinal();
            });
    Restore restore =
        client.resources(Restore.class).inNamespace(WORKLOAD_NS).withName("counter-restore").get();
    assertThat(restore.getStatus().getPhase()).isEqualTo(RestorePhase.Running);
    Pod restored =
        client.pods().inNamespace(WORKLOAD_NS).withName(restore.getStatus().getRestoredPod()).get();
    assertThat(restored.getStatus().getPhase()).isEqualTo("Running");
  }

  private static Checkpoint checkpoint(String name) {
    return client.resources(Checkpoint.class).inNamespace(WORKLOAD_NS).withName(name).get();
  }

  private static void applySample(String file) throws Exception {
    try (InputStream in = new FileInputStream(root.resolve("samples").resolve(file).toFile())) {
      client.load(in).inNamespace(WORKLOAD_NS).serverSideApply();
    }
  }
}
