package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stasis.controller.agent.AgentEndpoint;
import dev.stasis.controller.agent.AgentRefusedException;
import dev.stasis.controller.agent.GrpcAgentClient;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What goes wrong, as a user meets it: resources the API server refuses, a pod that does not exist,
 * the S3 server down in the middle of a checkpoint, an agent killed in the middle of an upload.
 * Whatever the outcome, it is said with a reason, and nothing half-written ever looks like a
 * checkpoint.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailuresTest {
  static final String EKS = "ip-10-0-3-9.ec2.internal";
  static final String PLAIN = "worker-3";

  /** A node whose agent uploads slowly (STASIS_BANDWIDTH_LIMIT), to be killed mid-upload. */
  static final String SLOW = "worker-slow";

  static final String S3_ROOT = "s3://my-stasis-bucket/checkpoints";

  @TempDir static Path tmp;
  static InJvmCluster cluster;

  @BeforeAll
  static void install() {
    cluster = new InJvmCluster("failures", tmp.resolve("cluster"));
    cluster.node(EKS, Cloud.EKS, 2 << 20, Map.of());
    cluster.node(PLAIN, Cloud.PLAIN, 1 << 20, Map.of());
    cluster.node(SLOW, Cloud.PLAIN, 6 << 20, Map.of("STASIS_BANDWIDTH_LIMIT", "1Mi"));
    cluster.startOperator();
    cluster.s3CredentialsSecret();
    for (String s : List.of("storage-filesystem.yaml", "storage-s3.yaml", "storage-gcs.yaml")) {
      cluster.applySample(s, null);
    }
    Users.awaitStoragesAvailable(cluster, "node-local", "s3-eks", "gcs-gke");
  }

  @AfterAll
  static void uninstall() {
    if (Backends.shared().s3 != null && !Backends.shared().s3.isRunning()) {
      Backends.shared().s3.restart();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Samples with a mistake are refused by the API server, on {@code kubectl apply} as on {@code
   * kubectl create}, with 422 and the message naming the field (the validator's own words).
   */
  @Test
  @Order(1)
  void badResourcesAreRejectedWithTheFieldsMessage() {
    String ns = "typos";
    cluster.namespace(ns);
    record Mistake(String sample, Consumer<ObjectNode> edit, String message) {}
    List<Mistake> mistakes =
        List.of(
            new Mistake(
                "checkpoint.yaml",
                spec -> spec.put("compression", "brotli"),
                "spec.compression: Unsupported value: \"brotli\": supported values: \"gzip\","
                    + " \"lz4\", \"none\", \"zstd\""),
            new Mistake(
                "checkpoint-dir.yaml",
                spec -> spec.put("storage", "s3-eks"),
                "spec: Invalid value: \"object\": set at most one of storage and dir"),
            new Mistake(
                "checkpoint-dir.yaml",
                spec -> spec.put("dir", "ftp://my-stasis-bucket/checkpoints"),
                "spec.dir: Invalid value: \"ftp://my-stasis-bucket/checkpoints\": spec.dir in body"
                    + " should match '^(s3|gs|file|stasis)://.+$'"),
            new Mistake(
                "restore.yaml",
                spec -> spec.put("path", S3_ROOT + "/typos/counter/counter-1-0a1b2c3d"),
                "spec: Invalid value: \"object\": exactly one of checkpointName, path or latestOf"
                    + " must be set"));
    for (Mistake m : mistakes) {
      ObjectNode doc = (ObjectNode) Samples.asWritten(m.sample()).get(0);
      m.edit().accept((ObjectNode) doc.path("spec"));
      String kind = doc.path("kind").asText();
      String name = doc.path("metadata").path("name").asText();
      String expected = kind + ".stasis.dev \"" + name + "\" is invalid: " + m.message();
      assertThat(Kubectl.expectedErrors(cluster.api.validator(), doc))
          .as("what the validator says about %s", m.sample())
          .containsExactly(m.message());

      KubernetesClientException applied =
          catchThrowableOfType(
              KubernetesClientException.class, () -> cluster.kubectl.apply(List.of(doc), ns));
      KubernetesClientException created =
          catchThrowableOfType(
              KubernetesClientException.class,
              () ->
                  cluster
                      .client
                      .genericKubernetesResources("stasis.dev/v1alpha1", kind)
                      .inNamespace(ns)
                      .resource(
                          io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
                              .convertValue(
                                  doc,
                                  io.fabric8.kubernetes.api.model.GenericKubernetesResource.class))
                      .create());
      for (KubernetesClientException e : new KubernetesClientException[] {applied, created}) {
        assertThat(e).as("%s with %s", m.sample(), m.message()).isNotNull();
        assertThat(e.getCode()).isEqualTo(422);
        assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
        assertThat(e.getStatus().getMessage()).isEqualTo(expected);
        assertThat(e.getStatus().getDetails().getCauses())
            .singleElement()
            .satisfies(c -> assertThat(c.getField()).isEqualTo(m.message().split(":")[0]));
      }
      assertThat(cluster.kubectl.stasis(kind, ns, name)).as("%s stored", name).isNull();
    }

    // A valid Checkpoint, then the same applied with another pod: the spec is immutable.
    cluster.applySample("checkpoint.yaml", ns);
    ObjectNode other = (ObjectNode) Samples.asWritten("checkpoint.yaml").get(0);
    ((ObjectNode) other.path("spec")).put("podName", "other");
    KubernetesClientException changed =
        catchThrowableOfType(
            KubernetesClientException.class, () -> cluster.kubectl.apply(List.of(other), ns));
    assertThat(changed.getCode()).isEqualTo(422);
    assertThat(changed.getStatus().getMessage())
        .isEqualTo(
            "Checkpoint.stasis.dev \"counter-1\" is invalid: spec.podName: Invalid value:"
                + " \"string\": podName is immutable");
    assertThat(
            cluster
                .kubectl
                .stasis("Checkpoint", ns, "counter-1")
                .path("spec")
                .path("podName")
                .asText())
        .isEqualTo("counter");

    // The status is checked against the schema too (what keeps an operator bug out of etcd).
    KubernetesClientException badStatus =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                cluster
                    .client
                    .genericKubernetesResources("stasis.dev/v1alpha1", "Checkpoint")
                    .inNamespace(ns)
                    .withName("counter-1")
                    .subresource("status")
                    .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"status\":{\"phase\":\"Paused\"}}"));
    assertThat(badStatus.getCode()).isEqualTo(422);
    assertThat(badStatus.getStatus().getMessage())
        .contains("status.phase: Unsupported value: \"Paused\"");
  }

  /**
   * An agent refuses the operator's ordinary service-account token: the agents take only tokens
   * bound to their audience (STASIS_AGENT_TOKEN_AUDIENCE), so a token good for the API server is no
   * good for them, and the projected one is no good for the API server.
   */
  @Test
  @Order(2)
  void anAgentRefusesATokenNotBoundToItsAudience() throws Exception {
    Path token = Files.writeString(tmp.resolve("api-token"), cluster.operatorApiToken);
    NodeAgent agent = cluster.agents.get(PLAIN);
    try (GrpcAgentClient client =
        GrpcAgentClient.fromFiles(cluster.agentCaFile, token, InJvmCluster.AGENT_SERVER_NAME)) {
      AgentRefusedException refused =
          catchThrowableOfType(
              AgentRefusedException.class,
              () ->
                  client.getJob(
                      new AgentEndpoint("stasis-agent", PLAIN, agent.address, cluster.agentPort),
                      "no-such-job"));
      assertThat(refused).isNotNull();
      assertThat(refused.getMessage()).contains("UNAUTHENTICATED");
    }
    assertThat(cluster.tokens.requests())
        .filteredOn(r -> cluster.operatorApiToken.equals(r.path("token").asText()))
        .isNotEmpty()
        .allSatisfy(
            r ->
                assertThat(r.path("audiences").toString())
                    .isEqualTo("[\"" + InJvmCluster.AGENT_AUDIENCE + "\"]"));
  }

  /** samples/checkpoint.yaml where there is no pod "counter": Failed, PodNotFound. */
  @Test
  @Order(3)
  void aCheckpointOfAPodThatDoesNotExistFailsWithPodNotFound() {
    String ns = "ghost-town";
    cluster.namespace(ns);
    cluster.applySample("checkpoint.yaml", ns);
    JsonNode ck = Users.awaitCheckpointDone(cluster, ns, "counter-1");
    assertThat(Await.phase(ck)).isEqualTo("Failed");
    assertThat(Await.readyReason(ck)).isEqualTo("PodNotFound");
    assertThat(ck.path("status").path("message").asText())
        .isEqualTo("pod ghost-town/counter does not exist");
  }

  /**
   * The S3 server stops while the agent uploads a checkpoint, and comes back a moment later: the
   * Checkpoint ends Completed (the storage engine's retries carried it) or Failed with a storage
   * reason, and in the bucket nothing half-written looks like a checkpoint.
   */
  @Test
  @Order(4)
  void theS3ServerDownDuringACheckpoint() throws Exception {
    String ns = "s3-outage";
    cluster.namespace(ns);
    cluster.applyWorkload(ns, EKS);
    Users.awaitPodRunning(cluster, ns, "counter");
    NodeAgent eks = cluster.agents.get(EKS);
    int before = eks.kubelet.requestCount();
    eks.kubelet.pause();
    try {
      cluster.applySample("checkpoint.yaml", ns);
      Await.until(
          eks.kubelet::requestCount, n -> n > before, Users.TIMEOUT, "the kubelet asked to dump");
      Backends.shared().s3.stop();
    } finally {
      eks.kubelet.resume();
    }
    Thread.sleep(1500);
    Backends.shared().s3.restart();

    JsonNode ck = Users.awaitCheckpointDone(cluster, ns, "counter-1");
    String path = ck.path("status").path("path").asText();
    String outcome = Await.phase(ck) + " " + Await.readyReason(ck);
    System.out.println(
        "[stasis e2e] S3 server down for 1.5 s during a checkpoint: "
            + outcome
            + " ("
            + ck.path("status").path("message").asText()
            + ")");
    assertThat(path).startsWith(S3_ROOT + "/" + ns + "/counter/counter-1-");
    if ("Completed".equals(Await.phase(ck))) {
      assertThat(Stored.manifest(path)).isNotNull();
      Stored.verify(path);
      assertThat(Stored.listed(S3_ROOT, ns)).containsExactly(path);
    } else {
      assertThat(Await.phase(ck)).isEqualTo("Failed");
      assertThat(Await.readyReason(ck)).isIn("UploadFailed", "StorageUnavailable");
      assertThat(ck.path("status").path("message").asText()).isNotEmpty();
      assertThat(Stored.manifest(path)).as("manifest of a failed checkpoint").isNull();
      assertThat(Stored.listed(S3_ROOT, ns)).as("stasis ls " + ns).isEmpty();
    }
    assertNothingHalfWrittenLooksComplete(S3_ROOT, ns);
    Users.awaitStoragesAvailable(cluster, "s3-eks");
  }

  /**
   * The agent is killed while it uploads (a crash: its jobs stop where they are) and a new agent
   * starts with the same journal: the Checkpoint ends with a reason (AgentRestarted, unless the
   * operator got a retry through), and a failed one leaves no manifest and, once the new agent
   * cleaned up, no objects.
   */
  @Test
  @Order(5)
  void anAgentKilledInTheMiddleOfAnUpload() {
    String ns = "crash";
    cluster.namespace(ns);
    cluster.applyWorkload(ns, SLOW);
    Users.awaitPodRunning(cluster, ns, "counter");
    cluster.applySample("checkpoint.yaml", ns);
    JsonNode uploading =
        Await.until(
            () -> cluster.kubectl.stasis("Checkpoint", ns, "counter-1"),
            c ->
                "Uploading".equals(Await.phase(c))
                    && c.path("status").path("progress").path("bytesDone").asLong() > 0,
            Users.TIMEOUT,
            "Checkpoint crash/counter-1 Uploading");
    long total = uploading.path("status").path("progress").path("totalBytes").asLong();
    long done = uploading.path("status").path("progress").path("bytesDone").asLong();
    NodeAgent slow = cluster.agents.get(SLOW);
    slow.kill();
    slow.start();

    JsonNode ck = Users.awaitCheckpointDone(cluster, ns, "counter-1");
    String root = "file://" + cluster.nodeCheckpointDir();
    String path = ck.path("status").path("path").asText();
    System.out.println(
        "[stasis e2e] agent killed after "
            + done
            + " of "
            + total
            + " archive bytes: "
            + Await.phase(ck)
            + " "
            + Await.readyReason(ck)
            + " ("
            + ck.path("status").path("message").asText()
            + ")");
    assertThat(Await.readyReason(ck)).isNotEmpty();
    assertThat(path).startsWith(root + "/" + ns + "/counter/counter-1-");
    if ("Failed".equals(Await.phase(ck))) {
      assertThat(Await.readyReason(ck)).isIn("AgentRestarted", "AgentUnreachable");
      assertThat(Stored.manifest(path)).as("manifest of a failed checkpoint").isNull();
      assertThat(Stored.listed(root, ns)).isEmpty();
      if ("AgentRestarted".equals(Await.readyReason(ck))) {
        // The new agent removed what the killed one had written.
        assertThat(Stored.objects(path)).as("objects left under %s", path).isEmpty();
      }
    } else {
      assertThat(Stored.manifest(path)).isNotNull();
      Stored.verify(path);
    }
    assertNothingHalfWrittenLooksComplete(root, ns);
  }

  /**
   * Every directory that holds a manifest holds all the archives it lists, whole; the others are
   * not listed as checkpoints.
   */
  private static void assertNothingHalfWrittenLooksComplete(String root, String ns) {
    Map<String, TreeSet<String>> dirs = Stored.directories(root, ns);
    List<String> listed = Stored.listed(root, ns);
    for (var e : dirs.entrySet()) {
      if (e.getValue().contains("manifest.json")) {
        var manifest = Stored.manifest(e.getKey());
        Set<String> archives = new TreeSet<>();
        manifest.containers().forEach(c -> archives.add(c.object()));
        assertThat(e.getValue()).containsAll(archives);
        Stored.verify(e.getKey());
        assertThat(listed).contains(e.getKey());
      } else {
        assertThat(listed).as("listed without a manifest").doesNotContain(e.getKey());
      }
    }
  }
}
