package dev.stasis.controller.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UtilTest {
  @Test
  void durationsAsUsersWriteThem() {
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("1d2h3m4s")).isEqualTo(Duration.parse("P1DT2H3M4S"));
    assertThatThrownBy(() -> Durations.parse("7")).hasMessageContaining("'7' is not a duration");
    assertThatThrownBy(() -> Durations.parse("-1h")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("1w")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRestoredPodKeepsTheWorkloadsLabelsButNotItsControllers() {
    Map<String, String> deployment =
        Map.of("app", "web", "tier", "front", "pod-template-hash", "5d8f9c7b6");
    assertThat(PodMetadata.checkpointLabels(deployment)).isEqualTo(deployment);
    assertThat(PodMetadata.restoredLabels(deployment))
        .containsExactly(Map.entry("app", "web"), Map.entry("tier", "front"));
    Map<String, String> statefulSet =
        Map.of(
            "app", "db",
            "controller-revision-hash", "db-6c4f",
            "statefulset.kubernetes.io/pod-name", "db-0",
            "apps.kubernetes.io/pod-index", "0");
    assertThat(PodMetadata.restoredLabels(statefulSet)).containsExactly(Map.entry("app", "db"));
    Map<String, String> job =
        Map.of(
            "batch.kubernetes.io/controller-uid", "0b1c",
            "batch.kubernetes.io/job-name", "report",
            "controller-uid", "0b1c",
            "job-name", "report",
            "team", "data");
    assertThat(PodMetadata.restoredLabels(job)).containsExactly(Map.entry("team", "data"));
    assertThat(PodMetadata.restoredLabels(null)).isEmpty();

    Map<String, String> annotations =
        Map.of(
            "kubectl.kubernetes.io/last-applied-configuration", "{\"kind\":\"Pod\"}",
            "kubernetes.io/config.mirror", "abc",
            "prometheus.io/scrape", "true");
    assertThat(PodMetadata.checkpointAnnotations(annotations))
        .containsOnlyKeys("kubernetes.io/config.mirror", "prometheus.io/scrape");
    assertThat(PodMetadata.restoredAnnotations(annotations))
        .containsExactly(Map.entry("prometheus.io/scrape", "true"));
    assertThat(PodMetadata.checkpointAnnotations(null)).isEmpty();
  }

  @Test
  void sizesInBinaryUnits() {
    assertThat(ByteSizes.display(0)).isEqualTo("0");
    assertThat(ByteSizes.display(1023)).isEqualTo("1023");
    assertThat(ByteSizes.display(1024)).isEqualTo("1.0Ki");
    assertThat(ByteSizes.display(432_328_704)).isEqualTo("412.3Mi");
    assertThat(ByteSizes.display(1024L * 1024 * 1024 - 1)).isEqualTo("1.0Gi");
    assertThat(ByteSizes.display(5L * 1024 * 1024 * 1024 * 1024)).isEqualTo("5.0Ti");
  }

  @Test
  void namesStayValidAndStable() {
    assertThat(Names.suffix("uid-1"))
        .hasSize(5)
        .matches("[a-z0-9]{5}")
        .isEqualTo(Names.suffix("uid-1"));
    assertThat(Names.suffix("uid-1")).isNotEqualTo(Names.suffix("uid-2"));
    assertThat(Names.withSuffix("a".repeat(300), "restored-abcde", 253))
        .hasSize(253)
        .endsWith("-restored-abcde");
    assertThat(Names.labelValue("x".repeat(70) + "-")).hasSize(63);
    assertThat(Names.labelValue("s3://bucket/path")).isEqualTo("s3---bucket-path");
  }
}
