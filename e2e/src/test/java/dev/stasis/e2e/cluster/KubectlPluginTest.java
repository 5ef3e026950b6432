package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.agent.kubectl.KubectlStasis;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kubectl stasis} against the cluster, as a user runs it: its main (the command line the
 * {@code kubectl-stasis} launcher runs) in this JVM with a kubeconfig for the in-JVM API server,
 * the operator and real agents behind it. Its {@code -o json} output is read back as JSON and
 * checked against the cluster and the storage.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlPluginTest {
  static final String NODE = "worker-cli";
  static final String NS = "shop-cli";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static InJvmCluster cluster;
  static Path kubeconfig;

  /** The checkpoints taken by the plugin, by test. */
  static JsonNode firstCheckpoint;

  static JsonNode secondCheckpoint;

  record Run(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + "\nstderr: " + err, e);
      }
    }
  }

  @BeforeAll
  static void install() throws IOException {
    cluster = new InJvmCluster("plugin", tmp.resolve("cluster"));
    cluster.node(NODE, Cloud.PLAIN, 3_500_000, Map.of());
    cluster.startOperator();
    cluster.applySample("storage-filesystem.yaml", null);
    Users.awaitStoragesAvailable(cluster, "node-local");
    cluster.namespace(NS);
    cluster.applyWorkload(NS, NODE);
    Users.awaitPodRunning(cluster, NS, "counter");
    // What `kubectl config view --minify` shows for such a cluster; the context's namespace is
    // the one the plugin works in without -n.
    kubeconfig =
        Files.writeString(
            tmp.resolve("kubeconfig"),
            String.join(
                "\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: in-jvm",
                "  cluster:",
                "    server: " + cluster.api.url(),
                "users:",
                "- name: admin",
                "  user: {}",
                "contexts:",
                "- name: shop",
                "  context:",
                "    cluster: in-jvm",
                "    user: admin",
                "    namespace: " + NS,
                "current-context: shop",
                ""));
  }

  @AfterAll
  static void uninstall() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** {@code kubectl stasis ARGS} with this cluster's kubeconfig. */
  static Run plugin(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--kubeconfig=" + kubeconfig);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = KubectlStasis.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(all.toArray(String[]::new));
    Run r = new Run(code, out.toString(), err.toString());
    System.out.println(
        "[stasis e2e] kubectl stasis " + String.join(" ", args) + " -> " + code + "\n" + r.out());
    return r;
  }

  @Test
  @Order(1)
  void checkpointWaitJson_printsTheCompletedCheckpointAsTheApiHasIt() {
    Run r = plugin("checkpoint", "counter", "--wait", "-o", "json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).as("no progress display with -o").isEmpty();
    JsonNode ck = r.json();
    firstCheckpoint = ck;
    String name = ck.path("metadata").path("name").asText();
    assertThat(ck.path("kind").asText()).isEqualTo("Checkpoint");
    assertThat(name).matches("counter-[bcdfghjklmnpqrstvwxz2456789]{5}");
    assertThat(ck.path("metadata").path("namespace").asText()).isEqualTo(NS);
    assertThat(ck.path("spec").path("podName").asText()).isEqualTo("counter");
    JsonNode status = ck.path("status");
    assertThat(status.path("phase").asText()).isEqualTo("Completed");
    String path = status.path("path").asText();
    assertThat(path)
        .isEqualTo(
            "file://"
                + cluster.nodeCheckpointDir()
                + "/"
                + NS
                + "/counter/"
                + name
                + "-"
                + Users.uid8(ck));
    assertThat(status.path("size").asLong()).isPositive().isEqualTo(Stored.totalBytes(path));
    Stored.verify(path);
    // The same object as the API server has it now.
    JsonNode stored = cluster.kubectl.stasis("Checkpoint", NS, name);
    assertThat(stored.path("status").path("path")).isEqualTo(status.path("path"));
    assertThat(stored.path("metadata").path("uid")).isEqualTo(ck.path("metadata").path("uid"));
  }

  @Test
  @Order(2)
  void checkpointWaitOnATerminal_drawsTheProgressBarOnStderr() {
    Run r = plugin("checkpoint", "counter", "--name", "counter-bar", "--wait", "--progress=always");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode ck = cluster.kubectl.stasis("Checkpoint", NS, "counter-bar");
    secondCheckpoint = ck;
    String path = ck.path("status").path("path").asText();
    assertThat(r.out())
        .isEqualTo(
            "checkpoint.stasis.dev/counter-bar created\n"
                + "checkpoint.stasis.dev/counter-bar Completed: "
                + ck.path("status").path("displaySize").asText()
                + " at "
                + path
                + "\n");
    // Redrawn in place: the phase while it runs, then the bytes of the Completed checkpoint.
    long archive = ck.path("status").path("progress").path("totalBytes").asLong();
    assertThat(archive).isPositive();
    String total = dev.stasis.storage.cli.ProgressBar.bytes(archive);
    assertThat(r.err())
        .startsWith("\rcounter-bar Pending 0:00")
        .contains("\rcounter-bar Completed 0:0", "100%  " + total + " / " + total)
        .endsWith("\n");
  }

  @Test
  @Order(3)
  void ls_showsTheCheckpointsNewestFirst() {
    Run table = plugin("ls");
    assertThat(table.code()).as(table.err()).isZero();
    List<String> lines = table.out().lines().toList();
    assertThat(lines.get(0).split(" +"))
        .containsExactly("NAME", "POD", "PHASE", "TIME", "SIZE", "PATH");
    assertThat(lines).hasSize(3);
    String first = firstCheckpoint.path("metadata").path("name").asText();
    assertThat(lines.get(1).split(" +"))
        .startsWith(
            "counter-bar",
            "counter",
            "Completed",
            Instant.parse(secondCheckpoint.path("status").path("checkpointTime").asText())
                .truncatedTo(ChronoUnit.SECONDS)
                .toString())
        .endsWith(secondCheckpoint.path("status").path("path").asText());
    assertThat(lines.get(2).split(" +"))
        .startsWith(first, "counter", "Completed")
        .endsWith(firstCheckpoint.path("status").path("path").asText());

    JsonNode list = plugin("ls", "counter", "-o", "json").json();
    assertThat(list.path("kind").asText()).isEqualTo("List");
    assertThat(list.path("items").findValuesAsText("name")).contains(first, "counter-bar");
    assertThat(plugin("ls", "other-pod").out().lines()).hasSize(1);
    assertThat(plugin("ls", "-o", "yaml").out())
        .startsWith("apiVersion: v1\nkind: List\nitems:\n- apiVersion: stasis.dev/v1alpha1\n");
  }

  @Test
  @Order(4)
  void describe_showsSpecStatusConditionsAndEvents() {
    Run r = plugin("describe", "checkpoint", "counter-bar");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("Name:         counter-bar", "Phase:        Completed", "podName: counter")
        .contains("path: " + secondCheckpoint.path("status").path("path").asText() + "\n")
        .containsPattern("(?m)^  Ready +True +Completed ")
        .containsPattern("(?m)^Events:\\n  TIME +TYPE +REASON");
    JsonNode list = plugin("describe", "checkpoint", "counter-bar", "-o", "json").json();
    JsonNode items = list.path("items");
    assertThat(items.get(0).path("kind").asText()).isEqualTo("Checkpoint");
    assertThat(items.size()).isGreaterThan(1);
    for (int i = 1; i < items.size(); i++) {
      assertThat(items.get(i).path("kind").asText()).isEqualTo("Event");
      assertThat(items.get(i).path("regarding").path("name").asText()).isEqualTo("counter-bar");
    }
  }

  @Test
  @Order(5)
  void restoreLatestWait_runsThePodFromTheNewestCheckpoint() {
    assumeTrue(cluster.backends.registry != null, cluster.backends.registryMissing());
    Run r =
        plugin(
            "restore", "counter", "--latest", "--pod-name", "counter-copy", "--wait", "-o", "json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode restore = r.json();
    assertThat(restore.path("kind").asText()).isEqualTo("Restore");
    assertThat(restore.path("metadata").path("name").asText())
        .matches("counter-restore-[bcdfghjklmnpqrstvwxz2456789]{5}");
    assertThat(restore.path("spec").path("latestOf").path("podName").asText()).isEqualTo("counter");
    JsonNode status = restore.path("status");
    assertThat(status.path("phase").asText()).isEqualTo("Running");
    assertThat(status.path("checkpoint").asText()).isEqualTo("counter-bar");
    assertThat(status.path("path").asText())
        .isEqualTo(secondCheckpoint.path("status").path("path").asText());
    assertThat(status.path("restoredPod").asText()).isEqualTo("counter-copy");
    JsonNode pod = Users.awaitPodRunning(cluster, NS, "counter-copy");
    assertThat(pod.path("metadata").path("labels").path("stasis.dev/restored-from").asText())
        .isEqualTo("counter-bar");

    String first = firstCheckpoint.path("metadata").path("name").asText();
    Run byName =
        plugin(
            "restore",
            "--checkpoint",
            first,
            "--pod-name",
            "counter-first",
            "--name",
            "by-name",
            "--wait");
    assertThat(byName.code()).as(byName.err()).isZero();
    assertThat(byName.out())
        .endsWith(
            "restore.stasis.dev/by-name Running: pod counter-first on node "
                + NODE
                + " from "
                + firstCheckpoint.path("status").path("path").asText()
                + "\n");
  }

  @Test
  @Order(6)
  void aFailedRestoreExitsOneWithItsReason() {
    Run r = plugin("restore", "ghost", "--latest", "--name", "ghost-restore", "--wait");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip())
        .isEqualTo(
            "error: restore.stasis.dev/ghost-restore Failed: NoCheckpointFound: no Completed"
                + " checkpoint of pod ghost in namespace "
                + NS
                + ", neither as a Checkpoint resource nor in any storage");
    // With -o json the Failed object is still printed, for scripts, and the exit code is 1.
    Run json = plugin("restore", "ghost", "--latest", "--wait", "-o", "json");
    assertThat(json.code()).isEqualTo(1);
    assertThat(json.json().path("status").path("phase").asText()).isEqualTo("Failed");
  }

  @Test
  @Order(7)
  void lsDir_showsCheckpointsThatExistOnlyInStorage() throws Exception {
    String elsewhere = tmp.resolve("elsewhere").toUri().toString().replaceAll("/$", "");
    Run r =
        plugin(
            "checkpoint",
            "counter",
            "--dir",
            elsewhere,
            "--name",
            "off-site",
            "--wait",
            "-o",
            "json");
    assertThat(r.code()).as(r.err()).isZero();
    String path = r.json().path("status").path("path").asText();
    assertThat(path).startsWith(elsewhere + "/" + NS + "/counter/off-site-");
    // Deleted here, retained there (deletionPolicy Retain), and no CheckpointStorage syncs it.
    var checkpoints =
        cluster
            .client
            .genericKubernetesResources("stasis.dev/v1alpha1", "Checkpoint")
            .inNamespace(NS);
    checkpoints.withName("off-site").delete();
    Await.until(
        () -> checkpoints.withName("off-site").get() == null ? Boolean.TRUE : null,
        gone -> gone,
        Users.TIMEOUT,
        "Checkpoint off-site deleted");
    assertThat(plugin("ls").out()).doesNotContain("off-site");

    Run table = plugin("ls", "counter", "--dir", elsewhere);
    assertThat(table.code()).as(table.err()).isZero();
    String row =
        table.out().lines().filter(l -> l.startsWith("off-site ")).findFirst().orElseThrow();
    assertThat(row.split(" +")).startsWith("off-site", "counter", "StorageOnly").endsWith(path);
    JsonNode stored =
        plugin("ls", "--dir", elsewhere, "-o", "json").json().path("items").findParent("manifest");
    assertThat(stored.path("kind").asText()).isEqualTo("StoredCheckpoint");
    assertThat(stored.path("path").asText()).isEqualTo(path);
    assertThat(stored.path("manifest").path("checkpoint").path("name").asText())
        .isEqualTo("off-site");
  }

  @Test
  @Order(8)
  void exitCodes() {
    Run missing = plugin("describe", "checkpoint", "nope");
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.err().strip())
        .isEqualTo("error: checkpoint.stasis.dev/nope not found in namespace " + NS);
    Run noSource = plugin("restore", "counter");
    assertThat(noSource.code()).isEqualTo(2);
    assertThat(noSource.err()).contains("--latest", "--checkpoint");
    Run wrongPod = plugin("restore", "other", "--checkpoint", "counter-bar");
    assertThat(wrongPod.code()).isEqualTo(2);
    assertThat(wrongPod.err())
        .contains("checkpoint.stasis.dev/counter-bar is a checkpoint of pod counter, not other");
    Run refused = plugin("checkpoint", "counter", "--dir", "ftp://nowhere/x");
    assertThat(refused.code()).isEqualTo(3);
    assertThat(refused.err()).startsWith("error: ").contains("dir");
    Run timeout =
        plugin("checkpoint", "counter", "--name", "impatient", "--wait", "--timeout", "0s");
    assertThat(timeout.code()).isEqualTo(4);
    assertThat(timeout.err())
        .contains("timed out after 0s waiting for checkpoint.stasis.dev/impatient")
        .contains("kubectl stasis describe checkpoint impatient");
    Run otherNamespace = plugin("ls", "-n", "default");
    assertThat(otherNamespace.out().lines()).hasSize(1);
  }
}
