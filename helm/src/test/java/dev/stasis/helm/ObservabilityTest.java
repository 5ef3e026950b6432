package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PodMonitors and the PrometheusRule (off by default), and the operator's PodDisruptionBudget. */
class ObservabilityTest {
  private static final String NS = ChartFixture.NAMESPACE;

  @Test
  void byDefaultNoPrometheusOperatorObjectsAndAPodDisruptionBudget() {
    ChartFixture.Rendered r = ChartFixture.renderDefaults();
    assertThat(r.ofKind("PodMonitor")).isEmpty();
    assertThat(r.ofKind("PrometheusRule")).isEmpty();
    JsonNode pdb = r.get("PodDisruptionBudget", NS, "stasis-operator").json();
    assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1);
    JsonNode podLabels =
        r.get("Deployment", NS, "stasis-operator")
            .json()
            .path("spec")
            .path("template")
            .path("metadata")
            .path("labels");
    pdb.path("spec")
        .path("selector")
        .path("matchLabels")
        .fields()
        .forEachRemaining(e -> assertThat(podLabels.path(e.getKey())).isEqualTo(e.getValue()));
    assertThat(
            ChartFixture.render(Map.of("operator.podDisruptionBudget.enabled", false))
                .ofKind("PodDisruptionBudget"))
        .isEmpty();
  }

  @Test
  void podMonitorsSelectTheOperatorAndAgentPodsOnTheirHttpPort() {
    ChartFixture.Rendered r =
        ChartFixture.render(
            Map.of(
                "metrics.podMonitor.enabled",
                true,
                "metrics.podMonitor.labels.release",
                "kube-prometheus-stack"));
    Map<String, JsonNode> pods =
        Map.of(
            "operator",
            r.get("Deployment", NS, "stasis-operator").json().path("spec").path("template"),
            "agent",
            r.get("DaemonSet", NS, "stasis-agent").json().path("spec").path("template"));
    assertThat(r.ofKind("PodMonitor")).hasSize(2);
    for (Map.Entry<String, JsonNode> e : pods.entrySet()) {
      JsonNode monitor = r.get("PodMonitor", "stasis-" + e.getKey()).json();
      assertThat(monitor.path("metadata").path("labels").path("release").asText())
          .isEqualTo("kube-prometheus-stack");
      JsonNode labels = e.getValue().path("metadata").path("labels");
      monitor
          .path("spec")
          .path("selector")
          .path("matchLabels")
          .fields()
          .forEachRemaining(l -> assertThat(labels.path(l.getKey())).isEqualTo(l.getValue()));
      JsonNode endpoint = monitor.path("spec").path("podMetricsEndpoints").get(0);
      assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
      List<String> ports = new ArrayList<>();
      e.getValue()
          .path("spec")
          .path("containers")
          .get(0)
          .path("ports")
          .forEach(p -> ports.add(p.path("name").asText()));
      assertThat(ports).as(e.getKey()).contains(endpoint.path("port").asText());
      assertThat(monitor.path("spec").path("namespaceSelector").path("matchNames").get(0).asText())
          .isEqualTo(NS);
    }
  }

  @Test
  void thePrometheusRuleAlertsOnFailuresRefusalsAndQueues() {
    JsonNode rule =
        ChartFixture.render(
                Map.of(
                    "metrics.prometheusRule.enabled",
                    true,
                    "metrics.prometheusRule.queuedFor",
                    "1h"))
            .get("PrometheusRule", "stasis")
            .json();
    List<String> alerts = new ArrayList<>();
    rule.path("spec")
        .path("groups")
        .get(0)
        .path("rules")
        .forEach(a -> alerts.add(a.path("alert").asText()));
    assertThat(alerts)
        .containsExactly(
            "StasisCheckpointsFailing",
            "StasisRestoresFailing",
            "StasisStorageUnavailable",
            "StasisAgentRefusesCalls",
            "StasisAgentJobsQueued");
    rule.path("spec")
        .path("groups")
        .get(0)
        .path("rules")
        .forEach(
            a -> {
              assertThat(a.path("expr").asText()).contains("stasis_");
              // Prometheus's templating survives Helm's: the summary names the label.
              assertThat(a.path("annotations").path("summary").asText())
                  .doesNotContain("<no value>");
            });
    assertThat(rule.path("spec").path("groups").get(0).path("rules").get(4).path("for").asText())
        .isEqualTo("1h");
    assertThat(
            rule.path("spec")
                .path("groups")
                .get(0)
                .path("rules")
                .get(0)
                .path("annotations")
                .path("summary")
                .asText())
        .contains("{{ $labels.reason }}");
  }

  @Test
  void theGrafanaDashboardIsAConfigMapForTheSidecarHoldingTheChartsDashboard() throws Exception {
    assertThat(ChartFixture.renderDefaults().ofKind("ConfigMap")).isEmpty();
    JsonNode map =
        ChartFixture.render(
                Map.of(
                    "metrics.grafanaDashboard.enabled",
                    true,
                    "metrics.grafanaDashboard.namespace",
                    "monitoring"))
            .get("ConfigMap", "monitoring", "stasis-dashboard")
            .json();
    assertThat(map.path("metadata").path("labels").path("grafana_dashboard").asText())
        .isEqualTo("1");
    JsonNode dashboard = ChartFixture.JSON.readTree(map.path("data").path("stasis.json").asText());
    assertThat(dashboard)
        .isEqualTo(
            ChartFixture.JSON.readTree(
                ChartFixture.chartDir().resolve("dashboards/stasis.json").toFile()));
    assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(8);
  }
}
