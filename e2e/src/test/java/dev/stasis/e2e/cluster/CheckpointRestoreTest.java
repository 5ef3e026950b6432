package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import dev.stasis.storage.CheckpointManifest;
import dev.stasis.testsupport.kube.PrinterColumns;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The samples on a cluster with an EKS, a GKE and a plain node: a checkpoint of the sample workload
 * on each kind of node, where it lands and how {@code kubectl get checkpoints} shows it, then
 * restores by name, by path and of the newest checkpoint.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CheckpointRestoreTest {
  static final String EKS = "ip-10-0-1-23.ec2.internal";
  static final String GKE = "gke-stasis-default-pool-5f2c";
  static final String PLAIN = "worker-1";

  /** Memory pages per container dump: archives of about 3.5 MiB, about 1 MiB compressed. */
  static final long PAGES = 3_500_000;

  @TempDir static Path tmp;
  static InJvmCluster cluster;

  /** The checkpoint of samples/workload.yaml on each kind of node (scenario 1), for scenario 2. */
  static final List<JsonNode> perNode = new ArrayList<>();

  @BeforeAll
  static void install() {
    cluster = new InJvmCluster("a", tmp.resolve("cluster-a"));
    cluster.node(EKS, Cloud.EKS, PAGES, Map.of());
    cluster.node(GKE, Cloud.GKE, PAGES, Map.of());
    cluster.node(PLAIN, Cloud.PLAIN, PAGES, Map.of());
    cluster.startOperator();
    cluster.s3CredentialsSecret();
    for (String s : List.of("storage-filesystem.yaml", "storage-s3.yaml", "storage-gcs.yaml")) {
      cluster.applySample(s, null);
    }
    Users.awaitStoragesAvailable(cluster, "node-local", "s3-eks", "gcs-gke");
  }

  @AfterAll
  static void uninstall() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void aCheckpointOfTheSampleWorkloadLandsInTheStorageOfItsNode() throws Exception {
    record Case(String namespace, String node, String storage, String reason, String root) {}
    List<Case> cases =
        List.of(
            new Case(
                "shop-eks",
                EKS,
                "s3-eks",
                "node matches cloud EKS (priority 10)",
                "s3://my-stasis-bucket/checkpoints"),
            new Case(
                "shop-gke",
                GKE,
                "gcs-gke",
                "node matches cloud GKE (priority 10)",
                "gs://my-stasis-bucket/checkpoints"),
            new Case(
                "shop-plain",
                PLAIN,
                "node-local",
                "default storage",
                "file://" + cluster.nodeCheckpointDir()));
    for (Case c : cases) {
      cluster.namespace(c.namespace());
      cluster.applyWorkload(c.namespace(), c.node());
      JsonNode pod = Users.awaitPodRunning(cluster, c.namespace(), "counter");
      assertThat(pod.path("spec").path("nodeName").asText()).isEqualTo(c.node());
      cluster.applySample("checkpoint.yaml", c.namespace());
    }
    for (Case c : cases) {
      JsonNode ck = Users.awaitCompleted(cluster, c.namespace(), "counter-1");
      perNode.add(ck);
      JsonNode status = ck.path("status");
      String path = c.root() + "/" + c.namespace() + "/counter/counter-1-" + Users.uid8(ck);
      assertThat(status.path("nodeName").asText()).isEqualTo(c.node());
      assertThat(status.path("storage").asText()).isEqualTo(c.storage());
      assertThat(status.path("storageReason").asText()).isEqualTo(c.reason());
      assertThat(Users.condition(ck, "StorageSelected").path("message").asText())
          .isEqualTo(c.storage() + ": " + c.reason());
      assertThat(status.path("path").asText()).isEqualTo(path);

      // In that backend, whole: manifest and archive, the archive the kubelet wrote.
      CheckpointManifest manifest = Stored.manifest(path);
      assertThat(manifest).as("manifest.json under %s", path).isNotNull();
      assertThat(Stored.objects(path)).containsExactly("counter.tar.zst", "manifest.json");
      Stored.verify(path);
      Path kubeletArchive =
          Users.kubeletArchive(cluster.agents.get(c.node()), c.namespace(), "counter", "counter");
      String sha = Users.sha256(kubeletArchive);
      JsonNode container = status.path("containers").get(0);
      assertThat(container.path("name").asText()).isEqualTo("counter");
      assertThat(container.path("sha256").asText()).isEqualTo(sha);
      assertThat(manifest.container("counter").sha256()).isEqualTo(sha);
      assertThat(manifest.container("counter").archiveBytes())
          .isEqualTo(Files.size(kubeletArchive));
      assertThat(manifest.node()).isEqualTo(c.node());
      assertThat(manifest.podSpec().path("containers").get(0).path("image").asText())
          .isEqualTo("docker.io/library/busybox:1.36");

      // And in no other backend.
      for (Case other : cases) {
        if (other != c) {
          assertThat(Stored.directories(other.root(), c.namespace()))
              .as("%s in %s", c.namespace(), other.root())
              .isEmpty();
        }
      }
    }
    readBackWithTheStandardTools(perNode.get(0));

    // The agents let the operator in on its projected token: reviewed for their audience only.
    assertThat(cluster.tokens.requests())
        .isNotEmpty()
        .allSatisfy(
            review ->
                assertThat(review.path("audiences").toString())
                    .isEqualTo("[\"" + InJvmCluster.AGENT_AUDIENCE + "\"]"));
  }

  /**
   * {@code kubectl get checkpoints} (and {@code -o wide}): the CRD's printer columns on the stored
   * objects say what a user checks first, which pod, done or not, how big, where, on which node.
   */
  @Test
  @Order(2)
  void kubectlGetCheckpointsShowsWhereEachCheckpointIs() {
    assertThat(perNode).as("the checkpoints of the first scenario").hasSize(3);
    PrinterColumns columns = PrinterColumns.fromDirectory(InJvmCluster.repoRoot().resolve("crds"));
    Instant now = Instant.now();
    List<JsonNode> stored = new ArrayList<>();
    for (JsonNode ck : perNode) {
      JsonNode c =
          cluster.kubectl.stasis(
              "Checkpoint",
              ck.path("metadata").path("namespace").asText(),
              ck.path("metadata").path("name").asText());
      stored.add(c);
      Map<String, String> row = columns.row(c, false, now);
      Map<String, String> wide = columns.row(c, true, now);
      assertThat(row.keySet()).containsExactly("NAME", "POD", "PHASE", "SIZE", "PATH", "AGE");
      assertThat(wide.keySet())
          .containsExactly(
              "NAME", "POD", "PHASE", "SIZE", "PATH", "AGE", "NODE", "STORAGE", "TARGET", "SPREAD");
      JsonNode status = c.path("status");
      long size = status.path("size").asLong();
      // SIZE is what the checkpoint takes in storage: its archives and its manifest.
      CheckpointManifest manifest = Stored.manifest(status.path("path").asText());
      assertThat(size)
          .isEqualTo(Stored.totalBytes(status.path("path").asText()))
          .isGreaterThan(manifest.storedBytes());
      assertThat(row.get("NAME")).isEqualTo("counter-1");
      assertThat(row.get("POD")).isEqualTo("counter");
      assertThat(row.get("PHASE")).isEqualTo("Completed");
      assertThat(row.get("SIZE")).matches("[0-9]+\\.[0-9](Ki|Mi)").isEqualTo(binarySize(size));
      assertThat(row.get("PATH"))
          .isEqualTo(status.path("path").asText())
          .matches(
              "(s3://|gs://|file:///).*/"
                  + c.path("metadata").path("namespace").asText()
                  + "/counter/counter-1-[0-9a-f]{8}");
      assertThat(row.get("AGE")).matches("[0-9]+s|[0-9]+m([0-9]+s)?");
      assertThat(wide.get("NODE")).isEqualTo(status.path("nodeName").asText()).isNotEmpty();
      assertThat(wide.get("STORAGE")).isEqualTo(status.path("storage").asText()).isNotEmpty();
    }
    assertThat(stored)
        .extracting(c -> columns.row(c, true, now).get("STORAGE"))
        .containsExactly("s3-eks", "gcs-gke", "node-local");
    assertThat(stored)
        .extracting(c -> columns.row(c, true, now).get("NODE"))
        .containsExactly(EKS, GKE, PLAIN);
    System.out.println(
        "[stasis e2e] kubectl get checkpoints -A -o wide\n"
            + columns.table(stored, true, true, now));
  }

  /** Binary units with one decimal, as the SIZE column promises ({@code 1.2Mi}). */
  private static String binarySize(long bytes) {
    return bytes >= 1 << 20
        ? String.format(Locale.ROOT, "%.1fMi", bytes / 1048576.0)
        : String.format(Locale.ROOT, "%.1fKi", bytes / 1024.0);
  }

  /**
   * A checkpoint restored by name (samples/restore.yaml), by path, and as the newest of several
   * (samples/restore-latest.yaml): each restored pod runs on a node, from the checkpoint images the
   * agent pushed to the registry, and says where it came from.
   */
  @Test
  @Order(3)
  void restoresByNameByPathAndTheNewestOfSeveral() throws Exception {
    assumeTrue(cluster.backends.registry != null, cluster.backends.registryMissing());
    String ns = "shop-restore";
    cluster.namespace(ns);
    cluster.applyWorkload(ns, EKS);
    Users.awaitPodRunning(cluster, ns, "counter");
    cluster.applySample("checkpoint.yaml", ns);
    JsonNode counter1 = Users.awaitCompleted(cluster, ns, "counter-1");

    cluster.applySample("restore.yaml", ns);
    assertRestored(ns, "counter-restore", counter1, "counter-restored");

    cluster.kubectl.apply(
        "apiVersion: stasis.dev/v1alpha1\n"
            + "kind: Restore\n"
            + "metadata:\n"
            + "  name: counter-restore-by-path\n"
            + "spec:\n"
            + "  path: "
            + counter1.path("status").path("path").asText()
            + "\n"
            + "  podName: counter-by-path\n",
        ns);
    assertRestored(ns, "counter-restore-by-path", counter1, "counter-by-path");

    JsonNode newest = counter1;
    for (String name : List.of("counter-2", "counter-3")) {
      cluster.kubectl.apply(
          "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata:\n  name: "
              + name
              + "\nspec:\n  podName: counter\n",
          ns);
      newest = Users.awaitCompleted(cluster, ns, name);
    }
    cluster.applySample("restore-latest.yaml", ns);
    JsonNode latest = assertRestored(ns, "counter-restore-latest", newest, "counter-latest");
    assertThat(latest.path("status").path("checkpoint").asText()).isEqualTo("counter-3");
  }

  /** The Restore Running, its pod Running from the checkpoint's images, with its origin. */
  @Test
  @Order(4)
  void aCheckpointDeletedAndCreatedAgainUnderItsNameIsANewCheckpoint() {
    String ns = "shop-again";
    cluster.namespace(ns);
    cluster.applyWorkload(ns, PLAIN);
    Users.awaitPodRunning(cluster, ns, "counter");
    cluster.applySample("checkpoint.yaml", ns);
    JsonNode first = Users.awaitCompleted(cluster, ns, "counter-1");

    var checkpoints =
        cluster
            .client
            .genericKubernetesResources("stasis.dev/v1alpha1", "Checkpoint")
            .inNamespace(ns);
    checkpoints.withName("counter-1").delete();
    Await.until(
        () -> checkpoints.withName("counter-1").get() == null ? Boolean.TRUE : null,
        gone -> gone,
        Users.TIMEOUT,
        "Checkpoint counter-1 deleted");
    cluster.applySample("checkpoint.yaml", ns);
    JsonNode second = Users.awaitCompleted(cluster, ns, "counter-1");

    // A new object, so a new directory: the retained first checkpoint is neither reused nor
    // touched.
    assertThat(Users.uid8(second)).isNotEqualTo(Users.uid8(first));
    String firstPath = first.path("status").path("path").asText();
    String secondPath = second.path("status").path("path").asText();
    assertThat(secondPath).isNotEqualTo(firstPath).endsWith("/counter-1-" + Users.uid8(second));
    Stored.verify(firstPath);
    Stored.verify(secondPath);
    assertThat(Stored.manifest(firstPath).checkpoint().uid())
        .isEqualTo(first.path("metadata").path("uid").asText());
  }

  private static JsonNode assertRestored(
      String ns, String restoreName, JsonNode checkpoint, String podName) throws Exception {
    JsonNode restore = Users.awaitRestoreDone(cluster, ns, restoreName);
    JsonNode status = restore.path("status");
    assertThat(Await.phase(restore)).as("%s", status.toPrettyString()).isEqualTo("Running");
    String checkpointPath = checkpoint.path("status").path("path").asText();
    assertThat(status.path("restoredPod").asText()).isEqualTo(podName);
    assertThat(status.path("path").asText()).isEqualTo(checkpointPath);
    assertThat(status.path("nodeName").asText()).isEqualTo(EKS);

    JsonNode pod = Users.awaitPodRunning(cluster, ns, podName);
    assertThat(pod.path("spec").path("nodeName").asText()).isEqualTo(EKS);
    assertThat(pod.path("metadata").path("labels").path("stasis.dev/restored-from").asText())
        .isEqualTo(checkpoint.path("metadata").path("name").asText());
    assertThat(pod.path("metadata").path("labels").path("stasis.dev/restore").asText())
        .isEqualTo(restoreName);
    assertThat(pod.path("metadata").path("annotations").path("stasis.dev/checkpoint-path").asText())
        .isEqualTo(checkpointPath);
    JsonNode owner = pod.path("metadata").path("ownerReferences").get(0);
    assertThat(owner.path("kind").asText()).isEqualTo("Restore");
    assertThat(owner.path("uid").asText()).isEqualTo(restore.path("metadata").path("uid").asText());

    // The container runs the saved spec with the checkpoint image the agent pushed.
    JsonNode container = pod.path("spec").path("containers").get(0);
    assertThat(container.path("name").asText()).isEqualTo("counter");
    assertThat(container.path("command").get(2).asText()).contains("i=$((i+1))");
    String registry = cluster.backends.registry.hostPort();
    String uid = checkpoint.path("metadata").path("uid").asText();
    String image = container.path("image").asText();
    assertThat(image)
        .matches(
            Pattern.quote(registry + "/stasis/restore:" + uid + "-counter@")
                + "sha256:[0-9a-f]{64}");
    String digest = image.substring(image.indexOf('@') + 1);
    assertThat(status.path("images").get(0).path("container").asText()).isEqualTo("counter");
    assertThat(status.path("images").get(0).path("digest").asText()).isEqualTo(digest);

    // In the registry: the manifest with both runtimes' annotations, one layer that is the
    // kubelet's archive.
    JsonNode manifest = registryJson("/v2/stasis/restore/manifests/" + digest);
    assertThat(
            manifest
                .path("annotations")
                .path("io.kubernetes.cri-o.annotations.checkpoint.name")
                .asText())
        .isEqualTo("counter");
    assertThat(manifest.path("annotations").path("org.criu.checkpoint.container.name").asText())
        .isEqualTo("counter");
    JsonNode layer = manifest.path("layers").get(0);
    assertThat(manifest.path("layers")).hasSize(1);
    JsonNode ckContainer = checkpoint.path("status").path("containers").get(0);
    assertThat(layer.path("digest").asText())
        .isEqualTo("sha256:" + ckContainer.path("sha256").asText());
    assertThat(layer.path("size").asLong()).isEqualTo(ckContainer.path("archiveBytes").asLong());
    return restore;
  }

  private static JsonNode registryJson(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(cluster.backends.registry.url() + path))
                    .header(
                        "Accept",
                        "application/vnd.oci.image.manifest.v1+json,"
                            + " application/vnd.docker.distribution.manifest.v2+json")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  /**
   * {@code aws s3 cp} the archive from the S3 server, {@code zstd -d}, {@code sha256sum}: the
   * kubelet's archive, byte for byte. Only this step is skipped, with a message, where a tool is
   * missing.
   */
  private void readBackWithTheStandardTools(JsonNode checkpoint) throws Exception {
    List<String> missing =
        List.of("aws", "zstd", "sha256sum").stream().filter(t -> !onPath(t)).toList();
    if (!missing.isEmpty()) {
      System.out.println(
          "[stasis e2e] skipped reading the S3 checkpoint back with aws/zstd/sha256sum: "
              + String.join(", ", missing)
              + " not on PATH (apt-get install awscli zstd)");
      return;
    }
    String object = checkpoint.path("status").path("path").asText() + "/counter.tar.zst";
    Path work = Files.createDirectories(tmp.resolve("standard-tools"));
    String sum =
        sh(
                work,
                "aws s3 cp --only-show-errors --endpoint-url "
                    + Backends.shared().s3.endpoint()
                    + " '"
                    + object
                    + "' counter.tar.zst && zstd -d -q counter.tar.zst -o counter.tar"
                    + " && sha256sum counter.tar")
            .split(" ")[0];
    String kubelet =
        Users.sha256(
            Users.kubeletArchive(
                cluster.agents.get(EKS),
                checkpoint.path("metadata").path("namespace").asText(),
                "counter",
                "counter"));
    assertThat(sum).isEqualTo(kubelet);
    assertThat(Files.mismatch(work.resolve("counter.tar"), kubeletArchive(checkpoint)))
        .isEqualTo(-1L);
  }

  private static Path kubeletArchive(JsonNode checkpoint) {
    return Users.kubeletArchive(
        cluster.agents.get(checkpoint.path("status").path("nodeName").asText()),
        checkpoint.path("metadata").path("namespace").asText(),
        "counter",
        "counter");
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String sh(Path dir, String command) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("bash", "-c", command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(Backends.shared().s3.awsEnvironment());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s:%n%s", command, out).isZero();
    return out.trim();
  }
}
