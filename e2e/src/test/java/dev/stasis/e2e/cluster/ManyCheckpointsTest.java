package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many checkpoints at once: 50 pods of the sample workload spread over an EKS, a GKE and a plain
 * node, and a Checkpoint of each applied together. All complete, each agent never runs more jobs
 * (nor asks its kubelet for more dumps) at a time than its limit, and the run's wall time and the
 * JVM's peak heap are printed.
 */
class ManyCheckpointsTest {
  static final int CHECKPOINTS = 50;
  static final int LIMIT = 2;
  static final String NS = "fleet";
  static final Map<String, Cloud> NODES =
      Map.of(
          "ip-10-0-2-41.ec2.internal",
          Cloud.EKS,
          "gke-fleet-pool-7a3b",
          Cloud.GKE,
          "worker-2",
          Cloud.PLAIN);
  static final Map<Cloud, String> STORAGE =
      Map.of(Cloud.EKS, "s3-eks", Cloud.GKE, "gcs-gke", Cloud.PLAIN, "node-local");

  @TempDir static Path tmp;
  static InJvmCluster cluster;

  @BeforeAll
  static void install() {
    cluster = new InJvmCluster("fleet", tmp.resolve("cluster"));
    NODES.forEach(
        (node, cloud) -> {
          NodeAgent agent =
              cluster.node(
                  node,
                  cloud,
                  1 << 20,
                  Map.of("STASIS_MAX_CONCURRENT_JOBS", Integer.toString(LIMIT)));
          // A dump takes a moment, as on a real node, so that jobs overlap.
          agent.kubelet.delay(Duration.ofMillis(100));
        });
    cluster.startOperator();
    cluster.s3CredentialsSecret();
    for (String s : List.of("storage-filesystem.yaml", "storage-s3.yaml", "storage-gcs.yaml")) {
      cluster.applySample(s, null);
    }
    Users.awaitStoragesAvailable(cluster, "node-local", "s3-eks", "gcs-gke");
    cluster.namespace(NS);
  }

  @AfterAll
  static void uninstall() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void fiftyCheckpointsOnThreeNodesCompleteWithinEachAgentsConcurrencyLimit() {
    // 50 copies of samples/workload.yaml (counter-00 ... counter-49), placed by the scheduler.
    for (int i = 0; i < CHECKPOINTS; i++) {
      ObjectNode pod = (ObjectNode) Samples.asWritten("workload.yaml").get(0);
      ((ObjectNode) pod.path("metadata")).put("name", podName(i));
      cluster.kubectl.apply(List.of(pod), NS);
    }
    Map<String, String> nodeOfPod = new HashMap<>();
    for (int i = 0; i < CHECKPOINTS; i++) {
      JsonNode pod = Users.awaitPodRunning(cluster, NS, podName(i));
      nodeOfPod.put(podName(i), pod.path("spec").path("nodeName").asText());
    }
    Map<String, Long> podsPerNode =
        nodeOfPod.values().stream().collect(Collectors.groupingBy(n -> n, Collectors.counting()));
    assertThat(podsPerNode).containsOnlyKeys(NODES.keySet());

    cluster.agents.values().forEach(NodeAgent::resetPeaks);
    List<MemoryPoolMXBean> heap =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    System.gc(); // start from what is live, not from the setup's garbage
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long started = System.nanoTime();

    // samples/checkpoint.yaml once per pod, all at once.
    for (int i = 0; i < CHECKPOINTS; i++) {
      ObjectNode ck = (ObjectNode) Samples.asWritten("checkpoint.yaml").get(0);
      ((ObjectNode) ck.path("metadata")).put("name", podName(i) + "-1");
      ((ObjectNode) ck.path("spec")).put("podName", podName(i));
      cluster.kubectl.apply(List.of(ck), NS);
    }
    List<JsonNode> done =
        Await.until(
            () -> cluster.kubectl.list("stasis.dev/v1alpha1", "Checkpoint", NS),
            all ->
                all.size() == CHECKPOINTS
                    && all.stream().allMatch(c -> Users.FINAL.contains(Await.phase(c))),
            Duration.ofSeconds(180),
            CHECKPOINTS + " Checkpoints Completed or Failed");
    double seconds = (System.nanoTime() - started) / 1e9;
    long peakHeap = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();

    List<String> failed = new ArrayList<>();
    for (JsonNode c : done) {
      if (!"Completed".equals(Await.phase(c))) {
        failed.add(c.path("metadata").path("name").asText() + ": " + c.path("status").toString());
      }
    }
    assertThat(failed).as("checkpoints that did not complete").isEmpty();
    for (JsonNode c : done) {
      String pod = c.path("spec").path("podName").asText();
      String node = nodeOfPod.get(pod);
      assertThat(c.path("status").path("nodeName").asText()).isEqualTo(node);
      assertThat(c.path("status").path("storage").asText()).isEqualTo(STORAGE.get(NODES.get(node)));
    }
    StringBuilder perNode = new StringBuilder();
    for (NodeAgent agent : cluster.agents.values()) {
      long checkpoints = podsPerNode.get(agent.node);
      assertThat(agent.kubelet.requestCount())
          .as("kubelet dumps on %s", agent.node)
          .isEqualTo((int) checkpoints);
      assertThat(agent.dumps.max())
          .as("most kubelet dumps at once on %s", agent.node)
          .isBetween(1, LIMIT);
      assertThat(agent.runningJobs.max())
          .as("most jobs running at once on %s (the limit was reached, never passed)", agent.node)
          .isEqualTo(LIMIT);
      perNode.append(
          String.format(
              Locale.ROOT,
              "%n[stasis e2e]   %s: %d checkpoints, at most %d jobs and %d kubelet dumps at once"
                  + " (limit %d)",
              agent.node,
              checkpoints,
              agent.runningJobs.max(),
              agent.dumps.max(),
              LIMIT));
    }
    System.out.printf(
        Locale.ROOT,
        "[stasis e2e] %d checkpoints on %d nodes: %.1f s, peak heap %d MiB%s%n",
        CHECKPOINTS,
        NODES.size(),
        seconds,
        peakHeap >> 20,
        perNode);
  }

  private static String podName(int i) {
    return String.format(Locale.ROOT, "counter-%02d", i);
  }
}
