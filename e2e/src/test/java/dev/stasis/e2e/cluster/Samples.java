package dev.stasis.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The files in {@code samples/}, as a user applies them. Where a sample holds a value that belongs
 * to a real cluster (its S3 endpoint and keys, the nodes' directory), {@link #forThisCluster} puts
 * this cluster's value there, and nothing else: the same edit a user makes to a sample before
 * applying it to their cluster.
 */
final class Samples {
  /** The Secret a user creates for an S3-compatible server (keys as the sample's comment says). */
  static final String S3_SECRET = "s3-test-server-credentials";

  /** The label every node carries with its own name (kubernetes.io/hostname). */
  static final String HOSTNAME_LABEL = "kubernetes.io/hostname";

  private Samples() {}

  static Path file(String name) {
    return InJvmCluster.repoRoot().resolve("samples").resolve(name);
  }

  /** The sample's documents exactly as they are in the file. */
  static List<JsonNode> asWritten(String name) {
    try {
      return Kubectl.documents(Files.readString(file(name)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The sample's documents with this cluster's values where the sample has a real cluster's, the
   * one place where samples are edited:
   *
   * <ul>
   *   <li>{@code storage-s3.yaml}: the S3 server's endpoint, path-style addressing and a
   *       credentials Secret, the three lines the sample's own comment says to add for an
   *       S3-compatible server;
   *   <li>{@code storage-filesystem.yaml}: the nodes' checkpoint directory (all nodes of this
   *       cluster share the test JVM's disk, so a temporary directory stands for the node path);
   *   <li>{@code workload.yaml}, when a node is given: a {@code nodeSelector} on that node's
   *       hostname label, to put the pod on the node under test.
   * </ul>
   *
   * Bucket names are kept: the test servers have the samples' bucket. Everything else is applied as
   * written.
   */
  static List<JsonNode> forThisCluster(String name, InJvmCluster cluster, String node) {
    List<JsonNode> documents = asWritten(name);
    for (JsonNode d : documents) {
      ObjectNode doc = (ObjectNode) d;
      String kind = doc.path("kind").asText();
      if (kind.equals("CheckpointStorage") && doc.path("spec").has("s3")) {
        ObjectNode s3 = (ObjectNode) doc.path("spec").path("s3");
        s3.put("endpoint", cluster.backends.s3.endpoint().toString());
        s3.put("forcePathStyle", true);
        s3.putObject("credentialsSecret")
            .put("name", S3_SECRET)
            .put("namespace", InJvmCluster.SYSTEM);
      }
      if (kind.equals("CheckpointStorage") && doc.path("spec").has("filesystem")) {
        ((ObjectNode) doc.path("spec").path("filesystem"))
            .put("path", cluster.nodeCheckpointDir().toString());
      }
      if (kind.equals("Pod") && node != null) {
        ((ObjectNode) doc.path("spec")).putObject("nodeSelector").put(HOSTNAME_LABEL, node);
      }
    }
    return documents;
  }
}
