package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import dev.stasis.e2e.cluster.RealApiServer.KubectlRun;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stasis against a real kube-apiserver (io.fabric8:kube-api-test, see {@link RealApiServer}): the
 * generated CRDs and every sample as the real server validates them, the invalid-resource corpus
 * refused by it with the field named, the operator checkpointing a pod through it (simulated
 * kubelet, real agent) and the real kubectl's {@code get checkpoints}, and the chart's RBAC judged
 * by SubjectAccessReviews. Skipped, with the reason and the command, where no binaries can be had.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(RealApiServerTest.RequiresBinaries.class)
class RealApiServerTest {
  /** Where binaries found on the PATH are linked into kube-api-test's layout. */
  private static final Path BINARIES = Path.of("target", "kube-api-test").toAbsolutePath();

  /** Skips every test, each with the reason and the command, where there are no binaries. */
  static final class RequiresBinaries implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String unavailable = RealApiServer.find(BINARIES).unavailable();
      if (unavailable == null) {
        return ConditionEvaluationResult.enabled("kube-apiserver, etcd and kubectl found");
      }
      if (context.getTestMethod().isEmpty()) {
        System.out.println("[stasis e2e] real API server suite skipped: " + unavailable);
      }
      return ConditionEvaluationResult.disabled(unavailable);
    }
  }

  private static final String SAMPLES_NS = "samples";

  /** The chart's release namespace: not the operator test's stasis-system, whose objects differ. */
  private static final String RELEASE_NS = "stasis-rbac";

  @TempDir static Path tmp;
  static RealApiServer server;
  static KubernetesClient client;
  static Path root;

  @BeforeAll
  static void start() throws Exception {
    RealApiServer.Binaries binaries = RealApiServer.find(BINARIES);
    root = InJvmCluster.repoRoot();
    server = RealApiServer.start(binaries, tmp.resolve("api"));
    client = server.client();
    KubectlRun crds =
        server.kubectl("apply", "--server-side", "-f", root.resolve("crds").toString());
    assertThat(crds.exitCode()).as(crds.err()).isZero();
    KubectlRun established =
        server.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all");
    assertThat(established.exitCode()).as(established.err()).isZero();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(SAMPLES_NS).endMetadata().build())
        .create();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void everySampleIsAcceptedByTheRealApiServer() throws Exception {
    List<Path> samples;
    try (Stream<Path> files = Files.list(root.resolve("samples"))) {
      samples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(samples).hasSizeGreaterThanOrEqualTo(10);
    for (Path sample : samples) {
      // A server-side dry run: the whole admission chain, nothing stored to disturb what follows.
      KubectlRun run =
          server.kubectl(
              "apply",
              "--server-side",
              "--dry-run=server",
              "-n",
              SAMPLES_NS,
              "-f",
              sample.toString());
      assertThat(run.exitCode()).as("%s: %s", sample.getFileName(), run.err()).isZero();
    }
  }

  @Test
  @Order(2)
  void theInvalidResourcesAreRefusedWithTheFieldNamed() throws Exception {
    List<Path> corpus;
    try (Stream<Path> files = Files.list(root.resolve("operator/api/src/test/resources/invalid"))) {
      corpus = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(20);
    for (Path file : corpus) {
      List<String> expected =
          Files.readString(file)
              .lines()
              .filter(l -> l.startsWith("# expect: "))
              .map(l -> l.substring("# expect: ".length()))
              .toList();
      KubectlRun run =
          server.kubectl("create", "--dry-run=server", "-n", SAMPLES_NS, "-f", file.toString());
      assertThat(run.exitCode()).as("%s must be refused", file.getFileName()).isNotZero();
      for (String expect : expected) {
        String field = expect.substring(0, expect.indexOf(": "));
        assertThat(run.err()).as("%s names %s", file.getFileName(), field).contains(field);
        // A CEL rule's message is ours, word for word, wherever the API server runs it.
        String cel = "Invalid value: \"object\": ";
        if (expect.contains(cel)) {
          assertThat(run.err()).as("%s", file.getFileName()).contains(expect);
        }
      }
    }
  }

  @Test
  @Order(3)
  void theOperatorCheckpointsAPodAndTheRealKubectlShowsIt() throws Exception {
    try (InJvmCluster cluster = new InJvmCluster("real", tmp.resolve("cluster"), server)) {
      cluster.node("worker-1", Cloud.PLAIN, 1_000_000, Map.of());
      cluster.startOperator();
      cluster.applySample("storage-filesystem.yaml", null);
      Users.awaitStoragesAvailable(cluster, "node-local");
      cluster.namespace("shop");
      cluster.applyWorkload("shop", "worker-1");
      Users.awaitPodRunning(cluster, "shop", "counter");
      cluster.applySample("checkpoint.yaml", "shop");
      JsonNode ck = Users.awaitCompleted(cluster, "shop", "counter-1");
      String path =
          "file://" + cluster.nodeCheckpointDir() + "/shop/counter/counter-1-" + Users.uid8(ck);
      assertThat(ck.path("status").path("path").asText()).isEqualTo(path);
      Stored.verify(path);

      KubectlRun table = server.kubectl("get", "checkpoints", "-n", "shop");
      assertThat(table.exitCode()).as(table.err()).isZero();
      System.out.println("[stasis e2e] real kubectl get checkpoints:\n" + table.out());
      List<String> lines = table.out().lines().toList();
      assertThat(lines.get(0).split("\\s+"))
          .containsExactly("NAME", "POD", "PHASE", "SIZE", "PATH", "AGE");
      assertThat(lines.get(1).split("\\s+"))
          .startsWith("counter-1", "counter", "Completed")
          .contains(path);
      KubectlRun wide = server.kubectl("get", "ckpt", "-n", "shop", "-o", "wide");
      assertThat(wide.out().lines().findFirst().orElseThrow().split("\\s+"))
          .containsExactly(
              "NAME", "POD", "PHASE", "SIZE", "PATH", "AGE", "NODE", "STORAGE", "TARGET", "SPREAD");
      assertThat(wide.out()).contains("worker-1", "node-local");
    }
  }

  /**
   * What the code calls, per service account: every one is allowed by the chart's RBAC as the real
   * API server evaluates it, and the chart grants nothing else (each rule of its roles expands to
   * entries of this list).
   */
  private static final List<String> OPERATOR_NEEDS =
      List.of(
          // Reconcilers and informers (JOSDK): the three kinds, their status and finalizers.
          "stasis.dev checkpoints get,list,watch,create,update,patch,delete",
          "stasis.dev restores get,list,watch,update,patch",
          "stasis.dev checkpointstorages get,list,watch,update,patch",
          "stasis.dev checkpoints/status update,patch",
          "stasis.dev restores/status update,patch",
          "stasis.dev checkpointstorages/status update,patch",
          "stasis.dev checkpoints/finalizers update",
          "stasis.dev restores/finalizers update",
          "stasis.dev checkpointstorages/finalizers update",
          // CheckpointSchedules: reconciled, status, owner of the Checkpoints they create.
          "stasis.dev checkpointschedules get,list,watch,update,patch",
          "stasis.dev checkpointschedules/status update,patch",
          "stasis.dev checkpointschedules/finalizers update",
          // A target workload's pod selector (TargetPods).
          "apps deployments get",
          "apps statefulsets get",
          "apps replicasets get",
          "batch jobs get",
          // Storage by node; the pod to checkpoint, the restored pod, agents found by label.
          "core nodes get,list,watch",
          "core pods get,list,watch,create,delete",
          // Workload restores and restoreOnTermination's Restores; onNodeTermination's schedules;
          // the pod selector of a workloadRef (Checkpoint or CheckpointSchedule).
          "stasis.dev restores create",
          "stasis.dev checkpointschedules get,list",
          "apps deployments get",
          "apps statefulsets get",
          "apps replicasets get",
          "batch jobs get",
          // Events on the three kinds; storage sync lists namespaces.
          "core events create,patch",
          "events.k8s.io events create,patch",
          "core namespaces list",
          // In its own namespace: credentials Secrets, the leader-election Lease.
          "core secrets get,list,watch @" + RELEASE_NS,
          "coordination.k8s.io leases create,get,update @" + RELEASE_NS);

  private static final List<String> AGENT_NEEDS =
      List.of(
          "core nodes/checkpoint create",
          "authentication.k8s.io tokenreviews create",
          "core pods get");

  /** What neither may do: another namespace's Secrets, exec, RBAC, nodes, CRDs. */
  private static final List<String> NOBODY_MAY =
      List.of(
          "core secrets get,list @shop",
          "core pods/exec create @shop",
          "core nodes update,delete",
          "rbac.authorization.k8s.io clusterrolebindings create",
          "apiextensions.k8s.io customresourcedefinitions delete",
          "core serviceaccounts/token create @" + RELEASE_NS);

  @Test
  @Order(4)
  void theChartsServiceAccountsMayDoWhatTheCodeUsesAndNothingElse() throws Exception {
    new Helm(root.resolve("helm/stasis"))
        .install()
        .withName("stasis")
        .withNamespace(RELEASE_NS)
        .createNamespace()
        .withKubeConfig(server.kubeconfig())
        .skipCrds()
        // The operator test's CheckpointStorage node-local stands; RBAC does not depend on it.
        .set("storage.filesystem.enabled", false)
        .call();
    String operator = "system:serviceaccount:" + RELEASE_NS + ":stasis-operator";
    String agent = "system:serviceaccount:" + RELEASE_NS + ":stasis-agent";

    for (String need : OPERATOR_NEEDS) {
      assertThat(denied(operator, need)).as("operator: %s", need).isEmpty();
    }
    for (String need : AGENT_NEEDS) {
      assertThat(denied(agent, need)).as("agent: %s", need).isEmpty();
    }
    for (String forbidden : NOBODY_MAY) {
      for (String user : List.of(operator, agent)) {
        assertThat(allowed(user, forbidden)).as("%s: %s", user, forbidden).isEmpty();
      }
    }
    assertThat(granted(operator))
        .as("operator grants beyond what the code uses")
        .isSubsetOf(expand(OPERATOR_NEEDS));
    assertThat(granted(agent))
        .as("agent grants beyond what the code uses")
        .isSubsetOf(expand(AGENT_NEEDS));
  }

  /** The entries of {@code line} ("group resource verbs [@namespace]") the user may not do. */
  private static List<String> denied(String user, String line) {
    return review(user, line, false);
  }

  private static List<String> allowed(String user, String line) {
    return review(user, line, true);
  }

  private static List<String> review(String user, String line, boolean wantAllowed) {
    String[] parts = line.split(" ");
    String group = parts[0].equals("core") ? "" : parts[0];
    String[] resource = parts[1].split("/", 2);
    String namespace = parts.length > 3 ? parts[3].substring(1) : "";
    String serviceAccountNamespace = user.split(":")[2];
    List<String> out = new ArrayList<>();
    for (String verb : parts[2].split(",")) {
      SubjectAccessReview review =
          client
              .authorization()
              .v1()
              .subjectAccessReview()
              .create(
                  new SubjectAccessReviewBuilder()
                      .withNewSpec()
                      .withUser(user)
                      .withGroups(
                          "system:serviceaccounts",
                          "system:serviceaccounts:" + serviceAccountNamespace,
                          "system:authenticated")
                      .withNewResourceAttributes()
                      .withGroup(group)
                      .withResource(resource[0])
                      .withSubresource(resource.length > 1 ? resource[1] : "")
                      .withVerb(verb)
                      .withNamespace(namespace)
                      .withName(
                          resource[0].equals("leases") && !verb.equals("create")
                              ? "stasis-operator"
                              : "")
                      .endResourceAttributes()
                      .endSpec()
                      .build());
      if (review.getStatus().getAllowed() == wantAllowed) {
        out.add(verb + " " + line);
      }
    }
    return out;
  }

  /** "group resource verb" for every rule the roles bound to the service account grant. */
  private static Set<String> granted(String user) {
    String[] parts = user.split(":");
    Predicate<Subject> isUser =
        s ->
            "ServiceAccount".equals(s.getKind())
                && parts[3].equals(s.getName())
                && parts[2].equals(s.getNamespace());
    Set<String> out = new TreeSet<>();
    for (var binding : client.rbac().clusterRoleBindings().list().getItems()) {
      if (binding.getSubjects() != null && binding.getSubjects().stream().anyMatch(isUser)) {
        ClusterRole role =
            client.rbac().clusterRoles().withName(binding.getRoleRef().getName()).get();
        role.getRules().forEach(r -> out.addAll(entries(r)));
      }
    }
    for (var binding : client.rbac().roleBindings().inAnyNamespace().list().getItems()) {
      if (binding.getSubjects() != null && binding.getSubjects().stream().anyMatch(isUser)) {
        Role role =
            client
                .rbac()
                .roles()
                .inNamespace(binding.getMetadata().getNamespace())
                .withName(binding.getRoleRef().getName())
                .get();
        role.getRules().forEach(r -> out.addAll(entries(r)));
      }
    }
    return out;
  }

  private static List<String> entries(PolicyRule rule) {
    List<String> out = new ArrayList<>();
    for (String group : rule.getApiGroups()) {
      for (String resource : rule.getResources()) {
        for (String verb : rule.getVerbs()) {
          out.add((group.isEmpty() ? "core" : group) + " " + resource + " " + verb);
        }
      }
    }
    return out;
  }

  private static Set<String> expand(List<String> lines) {
    Set<String> out = new TreeSet<>();
    for (String line : lines) {
      String[] parts = line.split(" ");
      for (String verb : parts[2].split(",")) {
        out.add(parts[0] + " " + parts[1] + " " + verb);
      }
    }
    return out;
  }
}
