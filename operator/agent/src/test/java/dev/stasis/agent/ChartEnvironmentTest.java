package dev.stasis.agent;

import static dev.stasis.agent.AgentFixture.checkpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.v1.GetJobRequest;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.StartRestoreRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent configured exactly as the Helm chart configures it. */
class ChartEnvironmentTest {
  @TempDir Path tmp;

  /**
   * The agent container's env as helm/stasis/templates/agent-daemonset.yaml (with the
   * "stasis.registryEnv" define of helm/stasis/templates/_helpers.tpl) renders it for {@code helm
   * install stasis ./helm/stasis -n stasis-system} with the default values.yaml: names and values
   * copied from there. The two downward-API variables (fieldRef spec.nodeName and status.hostIP)
   * get the values a node would give them. Not rendered by default: STASIS_BANDWIDTH_LIMIT
   * (agent.bandwidthLimit) and STASIS_REGISTRY_SECRET (registry.secretName).
   */
  static Map<String, String> chartDefaults() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("NODE_NAME", "ip-10-0-1-23.ec2.internal"); // fieldRef spec.nodeName
    env.put("STASIS_AGENT_PORT", "9443");
    env.put("STASIS_METRICS_PORT", "9090");
    env.put("STASIS_LOG_LEVEL", "info");
    env.put("STASIS_LOG_FORMAT", "text");
    env.put("STASIS_AGENT_TLS_CERT", "/etc/stasis/tls/tls.crt");
    env.put("STASIS_AGENT_TLS_KEY", "/etc/stasis/tls/tls.key");
    env.put("STASIS_AGENT_TOKEN_AUDIENCE", "stasis-agent");
    env.put("STASIS_ALLOWED_CALLERS", "system:serviceaccount:stasis-system:stasis-operator");
    env.put("STASIS_KUBELET_HOST", "10.0.1.23"); // fieldRef status.hostIP
    env.put("STASIS_KUBELET_PORT", "10250");
    env.put("STASIS_KUBELET_CA", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    env.put("STASIS_KUBELET_INSECURE_SKIP_VERIFY", "false");
    env.put("STASIS_CHECKPOINT_DIR", "/var/lib/kubelet/checkpoints");
    env.put("STASIS_KEEP_KUBELET_ARCHIVES", "false");
    env.put("STASIS_MAX_CONCURRENT_JOBS", "2");
    env.put("STASIS_JOURNAL_DIR", "/var/lib/stasis/journal");
    env.put("STASIS_WORK_DIR", "/tmp/stasis-agent");
    env.put("STASIS_REGISTRY", "");
    env.put("STASIS_REGISTRY_REPOSITORY", "stasis/restore");
    env.put("STASIS_REGISTRY_PLAIN_HTTP", "false");
    return env;
  }

  private static final Set<String> RENDERED_WHEN_SET =
      Set.of("STASIS_BANDWIDTH_LIMIT", "STASIS_REGISTRY_SECRET");

  private static Path templates() {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    return module.resolve("../../helm/stasis/templates").normalize();
  }

  /** The names of the env entries in a template text. */
  private static Set<String> envNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m =
        Pattern.compile("(?m)^\\s*-\\s+name:\\s+(NODE_NAME|STASIS_[A-Z0-9_]+)\\s*$").matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Test
  void theCopiedNamesAreExactlyTheOnesTheTemplateSets() throws IOException {
    String daemonSet = Files.readString(templates().resolve("agent-daemonset.yaml"));
    String helpers = Files.readString(templates().resolve("_helpers.tpl"));
    assertThat(daemonSet).contains("include \"stasis.registryEnv\"");
    Matcher define =
        Pattern.compile("(?s)\\{\\{-? define \"stasis.registryEnv\" -?}}(.*?)\\{\\{-? end -?}}")
            .matcher(helpers);
    assertThat(define.find()).as("stasis.registryEnv in _helpers.tpl").isTrue();
    Set<String> rendered = envNames(daemonSet);
    rendered.addAll(envNames(define.group(1)));

    Set<String> copied = new TreeSet<>(chartDefaults().keySet());
    copied.addAll(RENDERED_WHEN_SET);
    assertThat(rendered).isEqualTo(copied);
  }

  @Test
  void theChartsDefaultEnvironmentIsReadAsTheChartMeansIt() throws IOException {
    AgentConfig c = AgentConfig.fromEnv(chartDefaults());
    assertThat(c.nodeName()).isEqualTo("ip-10-0-1-23.ec2.internal");
    assertThat(c.port()).isEqualTo(9443);
    assertThat(c.metricsPort()).isEqualTo(9090);
    assertThat(c.tlsCert()).isEqualTo(Path.of("/etc/stasis/tls/tls.crt"));
    assertThat(c.tlsKey()).isEqualTo(Path.of("/etc/stasis/tls/tls.key"));
    assertThat(c.tokenAudience()).isEqualTo("stasis-agent");
    assertThat(c.allowedCallers())
        .containsExactly("system:serviceaccount:stasis-system:stasis-operator");
    assertThat(c.kubeletHost()).isEqualTo("10.0.1.23");
    assertThat(c.kubeletPort()).isEqualTo(10250);
    assertThat(c.kubeletCa())
        .isEqualTo(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"));
    assertThat(c.kubeletInsecure()).isFalse();
    assertThat(c.kubeletTokenFile())
        .isEqualTo(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"));
    assertThat(c.checkpointDir()).isEqualTo(Path.of("/var/lib/kubelet/checkpoints"));
    assertThat(c.keepKubeletArchives()).isFalse();
    assertThat(c.maxConcurrentJobs()).isEqualTo(2);
    assertThat(c.journalDir()).isEqualTo(Path.of("/var/lib/stasis/journal"));
    assertThat(c.workDir()).isEqualTo(Path.of("/tmp/stasis-agent"));
    assertThat(c.bandwidthBytesPerSecond()).isZero();
    assertThat(c.registry()).isEmpty();
    assertThat(c.registryRepository()).isEqualTo("stasis/restore");
    assertThat(c.registrySecret()).isNull();
    assertThat(c.registryPlainHttp()).isFalse();
    assertThat(c.tokenReviewCacheTtl()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.jobRetention()).isEqualTo(Duration.ofHours(24));
    // STASIS_LOG_LEVEL is log4j2's, not AgentConfig's.
    try (InputStream in = getClass().getResourceAsStream("/log4j2.xml")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .contains("<Logger name=\"dev.stasis\" level=\"${env:STASIS_LOG_LEVEL:-info}\"/>");
    }
  }

  @Test
  void otherValuesTheChartCanRenderAreReadToo() {
    Map<String, String> env = chartDefaults();
    // agent.allowedCallers: the operator first, then the list, joined with "," (no spaces).
    env.put(
        "STASIS_ALLOWED_CALLERS",
        "system:serviceaccount:stasis-system:stasis-operator,"
            + "system:serviceaccount:ci:checkpointer");
    env.put("STASIS_AGENT_TOKEN_AUDIENCE", ""); // agent.tokenAudience: "" renders value: ""
    env.put("STASIS_KUBELET_HOST", "fd00:10:0:1::23"); // status.hostIP on an IPv6 node
    env.put("STASIS_KUBELET_CA", "/etc/kubelet-ca/ca.crt");
    env.put("STASIS_KUBELET_INSECURE_SKIP_VERIFY", "true");
    env.put("STASIS_KEEP_KUBELET_ARCHIVES", "true");
    env.put("STASIS_REGISTRY", "registry.stasis-system.svc:5000");
    env.put("STASIS_REGISTRY_REPOSITORY", "team-a/stasis.restore");
    env.put("STASIS_REGISTRY_PLAIN_HTTP", "true");
    env.put("STASIS_REGISTRY_SECRET", "/var/run/secrets/stasis.dev/registry/.dockerconfigjson");
    env.put("STASIS_BANDWIDTH_LIMIT", "100Mi");
    AgentConfig c = AgentConfig.fromEnv(env);
    assertThat(c.allowedCallers())
        .containsExactly(
            "system:serviceaccount:stasis-system:stasis-operator",
            "system:serviceaccount:ci:checkpointer");
    assertThat(c.tokenAudience()).isEmpty();
    assertThat(c.kubeletHost()).isEqualTo("fd00:10:0:1::23");
    assertThat(c.kubeletCa()).isEqualTo(Path.of("/etc/kubelet-ca/ca.crt"));
    assertThat(c.kubeletInsecure()).isTrue();
    assertThat(c.keepKubeletArchives()).isTrue();
    assertThat(c.registry()).isEqualTo("registry.stasis-system.svc:5000");
    assertThat(c.registryRepository()).isEqualTo("team-a/stasis.restore");
    assertThat(c.registryPlainHttp()).isTrue();
    // A file path, not a Secret name.
    assertThat(c.registrySecret())
        .isEqualTo(Path.of("/var/run/secrets/stasis.dev/registry/.dockerconfigjson"));
    assertThat(c.bandwidthBytesPerSecond()).isEqualTo(100L * 1024 * 1024);
  }

  @Test
  void everyBandwidthLimitTheChartsSchemaAllowsIsABandwidth() {
    // values.schema.json, agent.bandwidthLimit: ^([0-9]+(\.[0-9]+)?([kKMGT]i?)?)?$
    Map<String, Long> cases = new LinkedHashMap<>();
    cases.put("1048576", 1_048_576L);
    cases.put("100Mi", 100L << 20);
    cases.put("1.5Gi", 3L << 29);
    cases.put("500k", 500_000L);
    cases.put("500K", 500_000L);
    cases.put("64Ki", 65_536L);
    cases.put("64ki", 65_536L);
    cases.put("2G", 2_000_000_000L);
    cases.put("2.5M", 2_500_000L);
    cases.put("1T", 1_000_000_000_000L);
    cases.put("1Ti", 1L << 40);
    cases.put("0.5Ki", 512L);
    cases.put("1.5", 1L); // a byte and a half: fractions of a byte are dropped
    cases.forEach(
        (v, bytes) -> {
          Map<String, String> env = chartDefaults();
          env.put("STASIS_BANDWIDTH_LIMIT", v);
          assertThat(AgentConfig.fromEnv(env).bandwidthBytesPerSecond()).as(v).isEqualTo(bytes);
        });
    for (String bad : new String[] {"fast", "100MB", "-1", "1e6", "10 Mi", "1.Gi", "99999999Ti"}) {
      Map<String, String> env = chartDefaults();
      env.put("STASIS_BANDWIDTH_LIMIT", bad);
      assertThatThrownBy(() -> AgentConfig.fromEnv(env))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("STASIS_BANDWIDTH_LIMIT")
          .hasMessageContaining(bad);
    }
  }

  @Test
  void valuesTheChartWouldNeverRenderAreRefusedByName() {
    Map<String, String> noNode = chartDefaults();
    noNode.remove("NODE_NAME");
    assertThatThrownBy(() -> AgentConfig.fromEnv(noNode)).hasMessageStartingWith("NODE_NAME:");
    Map<String, String> twoAudiences = chartDefaults();
    twoAudiences.put("STASIS_AGENT_TOKEN_AUDIENCE", "stasis-agent,api");
    assertThatThrownBy(() -> AgentConfig.fromEnv(twoAudiences))
        .hasMessageStartingWith("STASIS_AGENT_TOKEN_AUDIENCE:");
    Map<String, String> taggedRepository = chartDefaults();
    taggedRepository.put("STASIS_REGISTRY_REPOSITORY", "stasis/restore:latest");
    assertThatThrownBy(() -> AgentConfig.fromEnv(taggedRepository))
        .hasMessageStartingWith("STASIS_REGISTRY_REPOSITORY:");
  }

  /**
   * The chart's defaults with only what differs between a node and this test replaced: ports (free
   * ones), the files (the TLS Secret as Helm generates it, directories under tmp) and where the
   * kubelet is.
   */
  private Map<String, String> onThisMachine(AgentFixture f) throws IOException {
    PemKeys.PemFiles tls =
        PemKeys.issue("RSA").written(tmp.resolve("etc-stasis-tls"), PemKeys.Format.RSA_PKCS1);
    f.clientCa = tls.ca();
    Path kubeletCa = tmp.resolve("kubelet-ca.crt");
    Files.writeString(kubeletCa, f.kubelet.tls().caPem());
    Map<String, String> env = new HashMap<>(chartDefaults());
    env.put("STASIS_AGENT_PORT", "0");
    env.put("STASIS_METRICS_PORT", "0");
    env.put("STASIS_AGENT_TLS_CERT", tls.cert().toString());
    env.put("STASIS_AGENT_TLS_KEY", tls.key().toString());
    env.put("STASIS_KUBELET_HOST", f.kubelet.host());
    env.put("STASIS_KUBELET_PORT", String.valueOf(f.kubelet.port()));
    env.put("STASIS_KUBELET_CA", kubeletCa.toString());
    env.put("STASIS_CHECKPOINT_DIR", f.kubelet.checkpointDir().toString());
    env.put("STASIS_JOURNAL_DIR", tmp.resolve("journal").toString());
    env.put("STASIS_WORK_DIR", tmp.resolve("work").toString());
    return env;
  }

  @Test
  void anAgentWithTheChartsDefaultsServesTheOperatorsProjectedToken() throws Exception {
    try (AgentFixture f = new AgentFixture(tmp)) {
      f.start(onThisMachine(f));
      // The chart's operator is allowed, with its token for the "stasis-agent" audience.
      assertThat(f.config.allowedCallers()).containsExactly(AgentFixture.OPERATOR);
      assertThatThrownBy(
              () -> f.operator().getJob(GetJobRequest.newBuilder().setJobId("none").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
      // Its ordinary API-server token is not.
      assertThatThrownBy(
              () ->
                  f.stub(AgentFixture.OPERATOR_API_TOKEN)
                      .getJob(GetJobRequest.newBuilder().setJobId("none").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      assertThat(f.reviewSpecs)
          .allSatisfy(
              s -> assertThat(s.path("audiences").toString()).isEqualTo("[\"stasis-agent\"]"));

      String uid = "4e5f6a7b-0000-4000-8000-0000000000c1";
      f.operator().startCheckpoint(checkpoint(uid, "file://" + tmp.resolve("store")).build());
      Job ck = f.awaitDone(uid);
      assertThat(ck.getState()).as(ck.toString()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);

      // A restore naming no repository gets STASIS_REGISTRY_REPOSITORY's; with registry.url left
      // empty (STASIS_REGISTRY="") it fails saying so.
      String restoreUid = "5f6a7b8c-0000-4000-8000-0000000000c2";
      f.operator()
          .startRestore(
              StartRestoreRequest.newBuilder()
                  .setJobId(restoreUid)
                  .setCheckpointUri(ck.getCheckpointUri())
                  .build());
      Job restore = f.awaitDone(restoreUid);
      assertThat(restore.getState()).isEqualTo(JobState.JOB_STATE_FAILED);
      assertThat(restore.getReason()).isEqualTo(Reasons.INVALID_REQUEST);
      assertThat(restore.getMessage()).contains("STASIS_REGISTRY");
    }
  }

  @Test
  void aRestoreNamingNoRepositoryNeedsTheAgentsDefault() throws Exception {
    try (AgentFixture f = new AgentFixture(tmp)) {
      Map<String, String> env = onThisMachine(f);
      env.put("STASIS_REGISTRY_REPOSITORY", "");
      f.start(env);
      assertThatThrownBy(
              () ->
                  f.operator()
                      .startRestore(
                          StartRestoreRequest.newBuilder()
                              .setJobId("6a7b8c9d-0000-4000-8000-0000000000c3")
                              .setCheckpointUri("file://" + tmp.resolve("store") + "/a/b/c-1")
                              .setRegistry("registry.example.com")
                              .build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).contains("STASIS_REGISTRY_REPOSITORY");
              });
    }
  }
}
