package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/** What a user waits for and looks at, on one cluster. */
final class Users {
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final Set<String> FINAL = Set.of("Completed", "Failed");

  private Users() {}

  /** {@code kubectl wait} for the storages to be Available (the operator probed them). */
  static void awaitStoragesAvailable(InJvmCluster cluster, String... names) {
    for (String name : names) {
      Await.until(
          () -> cluster.kubectl.stasis("CheckpointStorage", null, name),
          s -> "Available".equals(Await.phase(s)),
          TIMEOUT,
          "CheckpointStorage " + name + " Available");
    }
  }

  /** The pod, once Running on a node with an IP. */
  static JsonNode awaitPodRunning(InJvmCluster cluster, String namespace, String name) {
    return Await.until(
        () -> cluster.kubectl.get("v1", "Pod", namespace, name),
        p ->
            "Running".equals(p.path("status").path("phase").asText())
                && !p.path("status").path("podIP").asText().isEmpty(),
        TIMEOUT,
        "pod " + namespace + "/" + name + " Running");
  }

  /** The Checkpoint once Completed or Failed. */
  static JsonNode awaitCheckpointDone(InJvmCluster cluster, String namespace, String name) {
    return Await.until(
        () -> cluster.kubectl.stasis("Checkpoint", namespace, name),
        c -> FINAL.contains(Await.phase(c)),
        TIMEOUT,
        "Checkpoint " + namespace + "/" + name + " Completed or Failed");
  }

  /** The Checkpoint once Completed (fails at once, with its status, if it Failed). */
  static JsonNode awaitCompleted(InJvmCluster cluster, String namespace, String name) {
    JsonNode c = awaitCheckpointDone(cluster, namespace, name);
    assertThat(Await.phase(c))
        .as("Checkpoint %s/%s: %s", namespace, name, c.path("status").toPrettyString())
        .isEqualTo("Completed");
    return c;
  }

  /** The Restore once Running or Failed. */
  static JsonNode awaitRestoreDone(InJvmCluster cluster, String namespace, String name) {
    return Await.until(
        () -> cluster.kubectl.stasis("Restore", namespace, name),
        r -> Set.of("Running", "Failed").contains(Await.phase(r)),
        TIMEOUT,
        "Restore " + namespace + "/" + name + " Running or Failed");
  }

  /** The kubelet archive of a pod's container that the node's kubelet (simulator) wrote. */
  static Path kubeletArchive(NodeAgent node, String namespace, String pod, String container) {
    try {
      List<Path> archives =
          node.kubelet.archives().stream()
              .filter(
                  p ->
                      p.getFileName()
                          .toString()
                          .startsWith(
                              "checkpoint-" + pod + "_" + namespace + "-" + container + "-"))
              .toList();
      assertThat(archives)
          .as("kubelet archives of %s/%s/%s on %s", namespace, pod, container, node.node)
          .hasSize(1);
      return archives.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(Path file) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(file)) {
        byte[] b = new byte[1 << 16];
        int n;
        while ((n = in.read(b)) > 0) {
          d.update(b, 0, n);
        }
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first 8 letters or digits of a UID, as checkpoint directories carry it. */
  static String uid8(JsonNode resource) {
    return resource.path("metadata").path("uid").asText().replace("-", "").substring(0, 8);
  }

  /** The condition of a type in a resource's status, or a missing node. */
  static JsonNode condition(JsonNode resource, String type) {
    for (JsonNode c : resource.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }
}
