package dev.stasis.e2e.k3s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The cluster the real-cluster suite runs against: a K3s container started through Testcontainers
 * where Docker is present, or any cluster named by {@code STASIS_E2E_KUBECONFIG} (for example one
 * whose nodes run CRI-O with CRIU, where a real dump and restore can happen).
 */
final class ClusterUnderTest implements AutoCloseable {
  static final String KUBECONFIG_ENV = "STASIS_E2E_KUBECONFIG";
  static final String K3S_IMAGE = "rancher/k3s:v1.31.4-k3s1";

  private final K3sContainer k3s;
  private final Path kubeconfig;
  private final KubernetesClient client;

  private ClusterUnderTest(K3sContainer k3s, Path kubeconfig) {
    this.k3s = k3s;
    this.kubeconfig = kubeconfig;
    this.client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(readString(kubeconfig)))
            .build();
  }

  /** Why the suite cannot run here, or empty when it can. */
  static Optional<String> unavailableReason() {
    if (System.getenv(KUBECONFIG_ENV) != null) {
      return Optional.empty();
    }
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return Optional.of(
          "no Docker engine here, so no K3s cluster; set "
              + KUBECONFIG_ENV
              + " to run this suite against an existing cluster (see e2e/README.md)");
    }
    return Optional.empty();
  }

  static ClusterUnderTest start() throws IOException {
    String external = System.getenv(KUBECONFIG_ENV);
    if (external != null) {
      return new ClusterUnderTest(null, Path.of(external));
    }
    K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE));
    k3s.start();
    Path kubeconfig = Files.createTempFile("stasis-k3s-", ".kubeconfig");
    Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
    return new ClusterUnderTest(k3s, kubeconfig);
  }

  /** The K3s container, when the suite started one; empty for an external cluster. */
  Optional<K3sContainer> k3s() {
    return Optional.ofNullable(k3s);
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  KubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    if (k3s != null) {
      k3s.stop();
    }
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read kubeconfig " + file, e);
    }
  }
}
