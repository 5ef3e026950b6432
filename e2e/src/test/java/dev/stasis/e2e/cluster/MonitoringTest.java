package dev.stasis.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.controller.agent.AgentEndpoint;
import dev.stasis.controller.agent.AgentRefusedException;
import dev.stasis.controller.agent.GrpcAgentClient;
import dev.stasis.e2e.cluster.InJvmCluster.Cloud;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * What the people who run Stasis watch, on objects and metrics of a running installation: the Argo
 * CD health checks of docs/argocd.md (the Lua files in docs/argocd/), run by a Lua interpreter as
 * Argo CD runs them (the object as the global {@code obj}, a table with status and message
 * returned); and the metrics the chart's PrometheusRule and Grafana dashboard use, scraped from the
 * operator's and an agent's /metrics.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitoringTest {
  private static final Path DOCS = InJvmCluster.repoRoot().resolve("docs");
  private static final String NS = "argo";

  @TempDir static Path tmp;
  static InJvmCluster cluster;

  @BeforeAll
  static void install() {
    cluster = new InJvmCluster("argo", tmp.resolve("cluster"));
    cluster.node("worker-1", Cloud.PLAIN, 1_000_000, Map.of());
    cluster.startOperator();
    cluster.applySample("storage-filesystem.yaml", null);
    Users.awaitStoragesAvailable(cluster, "node-local");
    cluster.namespace(NS);
    cluster.applyWorkload(NS, "worker-1");
    Users.awaitPodRunning(cluster, NS, "counter");
  }

  @AfterAll
  static void uninstall() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** What a health script returned. */
  record Health(String status, String message) {}

  static Health health(String kind, JsonNode object) throws IOException {
    String script = Files.readString(DOCS.resolve("argocd").resolve(kind + ".lua"));
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(object));
    LuaValue result = globals.load(script, kind + ".lua").call();
    return new Health(result.get("status").tojstring(), result.get("message").tojstring());
  }

  /** JSON as Argo CD hands it to Lua: objects and arrays as tables, arrays from index 1. */
  static LuaValue lua(JsonNode node) {
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          table.set(e.getKey(), lua(e.getValue()));
        }
      }
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, lua(node.get(i)));
      }
      return table;
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.booleanValue());
    }
    if (node.isIntegralNumber()) {
      return LuaValue.valueOf(node.longValue());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.doubleValue());
    }
    return LuaValue.valueOf(node.asText());
  }

  @Test
  @Order(1)
  void theDocumentedScriptsAreTheFilesTheTestsRun() throws IOException {
    String doc = Files.readString(DOCS.resolve("argocd.md"));
    for (String kind : new String[] {"checkpoint", "restore", "checkpointschedule"}) {
      String indented =
          Files.readString(DOCS.resolve("argocd").resolve(kind + ".lua"))
              .strip()
              .lines()
              .map(l -> l.isEmpty() ? "" : "    " + l)
              .reduce((a, b) -> a + "\n" + b)
              .orElseThrow();
      assertThat(doc).as("docs/argocd.md shows docs/argocd/%s.lua", kind).contains(indented);
    }
  }

  @Test
  @Order(2)
  void aCheckpointIsProgressingThenHealthyAndAFailedOneDegraded() throws Exception {
    JsonNode created =
        cluster
            .kubectl
            .apply(
                "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata:\n  name: c1\n"
                    + "spec:\n  podName: counter\n",
                NS)
            .get(0);
    assertThat(health("checkpoint", created).status()).isEqualTo("Progressing");

    JsonNode completed = Users.awaitCompleted(cluster, NS, "c1");
    Health healthy = health("checkpoint", completed);
    assertThat(healthy.status()).isEqualTo("Healthy");
    assertThat(healthy.message()).contains(completed.path("status").path("path").asText());

    cluster.kubectl.apply(
        "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata:\n  name: c2\n"
            + "spec:\n  podName: no-such-pod\n",
        NS);
    JsonNode failed = Users.awaitCheckpointDone(cluster, NS, "c2");
    assertThat(Await.phase(failed)).isEqualTo("Failed");
    Health degraded = health("checkpoint", failed);
    assertThat(degraded.status()).isEqualTo("Degraded");
    assertThat(degraded.message()).isEqualTo(failed.path("status").path("message").asText());
  }

  @Test
  @Order(3)
  void aRestoreIsHealthyWhenItsPodRunsAndDegradedWhenItFails() throws Exception {
    cluster.kubectl.apply(
        "apiVersion: stasis.dev/v1alpha1\nkind: Restore\nmetadata:\n  name: r-missing\n"
            + "spec:\n  checkpointName: no-such-checkpoint\n",
        NS);
    JsonNode failed = Users.awaitRestoreDone(cluster, NS, "r-missing");
    assertThat(Await.phase(failed)).isEqualTo("Failed");
    assertThat(health("restore", failed).status()).isEqualTo("Degraded");

    if (cluster.backends.registry == null) {
      System.out.println(
          "[stasis e2e] Argo CD health of a Running Restore not checked: "
              + cluster.backends.registryMissing());
      return;
    }
    cluster.kubectl.apply(
        "apiVersion: stasis.dev/v1alpha1\nkind: Checkpoint\nmetadata:\n  name: c3\n"
            + "spec:\n  podName: counter\n",
        NS);
    Users.awaitCompleted(cluster, NS, "c3");
    cluster.kubectl.apply(
        "apiVersion: stasis.dev/v1alpha1\nkind: Restore\nmetadata:\n  name: r3\n"
            + "spec:\n  checkpointName: c3\n  podName: counter-r3\n",
        NS);
    JsonNode running = Users.awaitRestoreDone(cluster, NS, "r3");
    assertThat(Await.phase(running))
        .as(running.path("status").toPrettyString())
        .isEqualTo("Running");
    Health healthy = health("restore", running);
    assertThat(healthy.status()).isEqualTo("Healthy");
    assertThat(healthy.message()).isEqualTo("pod counter-r3 is Running");
  }

  /**
   * After the checkpoints and restores above, and one call an agent refuses: every metric the
   * alerts and the Grafana dashboard name is on a /metrics page (counters appear once counted).
   */
  @Test
  @Order(4)
  void everyMetricTheAlertsNameIsExposed() throws Exception {
    Path token = Files.writeString(tmp.resolve("not-for-agents"), cluster.operatorApiToken);
    NodeAgent agent = cluster.agents.get("worker-1");
    try (GrpcAgentClient client =
        GrpcAgentClient.fromFiles(cluster.agentCaFile, token, InJvmCluster.AGENT_SERVER_NAME)) {
      assertThatThrownBy(
              () ->
                  client.getJob(
                      new AgentEndpoint(
                          "stasis-agent", "worker-1", agent.address, cluster.agentPort),
                      "no-such-job"))
          .isInstanceOf(AgentRefusedException.class);
    }
    String scraped = scrape(cluster.operatorHttpPort()) + scrape(agent.metricsPort());
    Set<String> exposed = new TreeSet<>();
    Matcher sample = Pattern.compile("(?m)^(stasis_[a-z_]+)[{ ]").matcher(scraped);
    while (sample.find()) {
      exposed.add(sample.group(1));
    }
    for (String file :
        new String[] {
          "helm/stasis/templates/prometheusrule.yaml", "helm/stasis/dashboards/stasis.json"
        }) {
      String text = Files.readString(InJvmCluster.repoRoot().resolve(file));
      Set<String> named = new TreeSet<>();
      Matcher metric = Pattern.compile("\\b(stasis_[a-z_]+)").matcher(text);
      while (metric.find()) {
        named.add(metric.group(1));
      }
      assertThat(named).as("metrics %s uses", file).hasSizeGreaterThanOrEqualTo(5);
      assertThat(exposed).as("metrics exposed, for %s", file).containsAll(named);
    }
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }
}
