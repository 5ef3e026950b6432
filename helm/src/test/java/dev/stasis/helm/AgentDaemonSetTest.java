package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent DaemonSet: where it runs, what it sees of the host, what it may do. */
class AgentDaemonSetTest {
  private static final String NS = ChartFixture.NAMESPACE;

  private final ChartFixture.Rendered defaults = ChartFixture.renderDefaults();
  private final DaemonSet ds = Manifests.agent(defaults);
  private final PodSpec pod = Manifests.pod(ds);
  private final Container agent = Manifests.only(pod);

  @Test
  void runsOnEveryNodeIncludingTaintedOnes() {
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getKey()).isNull();
              assertThat(t.getEffect()).isNull();
            });
    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getAffinity()).isNull();
    assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
  }

  @Test
  void usesThePodNetworkAndNoHostNamespaces() {
    assertThat(pod.getHostNetwork()).isFalse();
    assertThat(pod.getHostPID()).isFalse();
    assertThat(pod.getHostIPC()).isFalse();
    assertThat(agent.getPorts())
        .extracting(
            ContainerPort::getName, ContainerPort::getContainerPort, ContainerPort::getHostPort)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("grpc", 9443, null),
            org.assertj.core.groups.Tuple.tuple("http", 9090, null));
  }

  @Test
  void runsAsRootWithoutAnyPrivilegeBeyondOwningTheFiles() {
    assertThat(pod.getSecurityContext().getRunAsUser()).isZero();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isFalse();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    SecurityContext sc = agent.getSecurityContext();
    assertThat(sc.getRunAsUser()).isZero();
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(sc.getProcMount()).isNull();
    assertThat(sc.getSeLinuxOptions()).isNull();
    assertThat(pod.getSecurityContext().getSeLinuxOptions()).isNull();
  }

  @Test
  void seesOnlyTheKubeletCheckpointsTheStorageDirectoryAndItsJournalOfTheHost() {
    Map<String, Volume> volumes = Manifests.volumes(pod);
    assertThat(volumes.values().stream().filter(v -> v.getHostPath() != null))
        .extracting(
            v -> v.getName() + "=" + v.getHostPath().getPath() + ":" + v.getHostPath().getType())
        .containsExactlyInAnyOrder(
            "kubelet-checkpoints=/var/lib/kubelet/checkpoints:DirectoryOrCreate",
            "checkpoint-store=/var/lib/stasis/checkpoints:DirectoryOrCreate",
            "journal=/var/lib/stasis/journal:DirectoryOrCreate");
    Map<String, VolumeMount> mounts = Manifests.mounts(agent);
    assertThat(mounts.get("kubelet-checkpoints").getMountPath())
        .isEqualTo("/var/lib/kubelet/checkpoints");
    assertThat(mounts.get("kubelet-checkpoints").getReadOnly())
        .as("written to remove archives after upload")
        .isFalse();
    assertThat(mounts.get("checkpoint-store").getMountPath())
        .isEqualTo("/var/lib/stasis/checkpoints");
    assertThat(mounts.get("journal").getMountPath()).isEqualTo("/var/lib/stasis/journal");
    assertThat(mounts.get("tls").getMountPath()).isEqualTo("/etc/stasis/tls");
    assertThat(mounts.get("tls").getReadOnly()).isTrue();
    assertThat(mounts.get("tmp").getMountPath()).isEqualTo("/tmp");
    assertThat(volumes.get("tmp").getEmptyDir()).isNotNull();
    assertThat(volumes.get("tmp").getEmptyDir().getSizeLimit())
        .as("restores download whole archives here")
        .isNull();
    assertThat(volumes.get("tls").getSecret().getSecretName()).isEqualTo("stasis-agent-tls");
    assertThat(volumes.get("tls").getSecret().getDefaultMode()).isEqualTo(0400);
    assertThat(mounts)
        .containsOnlyKeys("tls", "kubelet-checkpoints", "checkpoint-store", "journal", "tmp");
    for (VolumeMount m : mounts.values()) {
      assertThat(m.getSubPath()).as("no subPath: mounted Secrets must follow renewals").isNull();
      assertThat(m.getMountPropagation()).isNull();
    }
  }

  @Test
  void keepingKubeletArchivesMountsTheirDirectoryReadOnly() {
    Container c =
        Manifests.only(
            Manifests.pod(
                Manifests.agent(ChartFixture.render(Map.of("agent.keepKubeletArchives", true)))));
    assertThat(Manifests.mounts(c).get("kubelet-checkpoints").getReadOnly()).isTrue();
    assertThat(Manifests.value(Manifests.env(c), "STASIS_KEEP_KUBELET_ARCHIVES")).isEqualTo("true");
  }

  @Test
  void withoutFilesystemStorageTheStorageDirectoryIsNotMounted() {
    PodSpec p =
        Manifests.pod(
            Manifests.agent(ChartFixture.render(Map.of("storage.filesystem.enabled", false))));
    assertThat(Manifests.volumes(p)).doesNotContainKey("checkpoint-store");
    assertThat(Manifests.mounts(Manifests.only(p))).doesNotContainKey("checkpoint-store");
  }

  @Test
  void aMovedFilesystemStorageIsMountedWhereTheCheckpointStorageSaysItIs() {
    ChartFixture.Rendered r =
        ChartFixture.render(Map.of("storage.filesystem.path", "/mnt/efs/stasis"));
    PodSpec p = Manifests.pod(Manifests.agent(r));
    assertThat(Manifests.volumes(p).get("checkpoint-store").getHostPath().getPath())
        .isEqualTo("/mnt/efs/stasis");
    assertThat(Manifests.mounts(Manifests.only(p)).get("checkpoint-store").getMountPath())
        .isEqualTo("/mnt/efs/stasis");
    assertThat(r.get("CheckpointStorage", "node-local").json().at("/spec/filesystem/path").asText())
        .isEqualTo("/mnt/efs/stasis");
  }

  @Test
  void environmentIsTheDocumentedContract() {
    var env = Manifests.env(agent);
    assertThat(env.keySet())
        .containsExactlyInAnyOrder(
            "NODE_NAME",
            "STASIS_AGENT_PORT",
            "STASIS_METRICS_PORT",
            "STASIS_LOG_LEVEL",
            "STASIS_LOG_FORMAT",
            "STASIS_AGENT_TLS_CERT",
            "STASIS_AGENT_TLS_KEY",
            "STASIS_AGENT_TOKEN_AUDIENCE",
            "STASIS_ALLOWED_CALLERS",
            "STASIS_KUBELET_HOST",
            "STASIS_KUBELET_PORT",
            "STASIS_KUBELET_CA",
            "STASIS_KUBELET_INSECURE_SKIP_VERIFY",
            "STASIS_CHECKPOINT_DIR",
            "STASIS_KEEP_KUBELET_ARCHIVES",
            "STASIS_MAX_CONCURRENT_JOBS",
            "STASIS_JOURNAL_DIR",
            "STASIS_WORK_DIR",
            "STASIS_REGISTRY",
            "STASIS_REGISTRY_REPOSITORY",
            "STASIS_REGISTRY_PLAIN_HTTP");
    assertThat(Manifests.fieldRef(env, "NODE_NAME")).isEqualTo("spec.nodeName");
    assertThat(Manifests.fieldRef(env, "STASIS_KUBELET_HOST")).isEqualTo("status.hostIP");
    assertThat(Manifests.value(env, "STASIS_AGENT_PORT")).isEqualTo("9443");
    assertThat(Manifests.value(env, "STASIS_METRICS_PORT")).isEqualTo("9090");
    assertThat(Manifests.value(env, "STASIS_LOG_FORMAT")).isEqualTo("text");
    assertThat(Manifests.value(env, "STASIS_AGENT_TLS_CERT")).isEqualTo("/etc/stasis/tls/tls.crt");
    assertThat(Manifests.value(env, "STASIS_AGENT_TLS_KEY")).isEqualTo("/etc/stasis/tls/tls.key");
    assertThat(Manifests.value(env, "STASIS_AGENT_TOKEN_AUDIENCE")).isEqualTo("stasis-agent");
    assertThat(Manifests.value(env, "STASIS_ALLOWED_CALLERS"))
        .isEqualTo("system:serviceaccount:" + NS + ":stasis-operator");
    assertThat(Manifests.value(env, "STASIS_KUBELET_PORT")).isEqualTo("10250");
    assertThat(Manifests.value(env, "STASIS_KUBELET_CA"))
        .isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    assertThat(Manifests.value(env, "STASIS_KUBELET_INSECURE_SKIP_VERIFY")).isEqualTo("false");
    assertThat(Manifests.value(env, "STASIS_CHECKPOINT_DIR"))
        .isEqualTo("/var/lib/kubelet/checkpoints");
    assertThat(Manifests.value(env, "STASIS_KEEP_KUBELET_ARCHIVES")).isEqualTo("false");
    assertThat(Manifests.value(env, "STASIS_MAX_CONCURRENT_JOBS")).isEqualTo("2");
    assertThat(Manifests.value(env, "STASIS_JOURNAL_DIR")).isEqualTo("/var/lib/stasis/journal");
    assertThat(Manifests.value(env, "STASIS_WORK_DIR")).isEqualTo("/tmp/stasis-agent");
    assertThat(Manifests.value(env, "STASIS_REGISTRY")).isEmpty();
    assertThat(Manifests.value(env, "STASIS_REGISTRY_REPOSITORY")).isEqualTo("stasis/restore");
    assertThat(Manifests.value(env, "STASIS_REGISTRY_PLAIN_HTTP")).isEqualTo("false");
    assertThat(agent.getArgs()).containsExactly("serve");
  }

  @Test
  void theMountedPathsInTheEnvironmentAreMounted() {
    var env = Manifests.env(agent);
    var mountPaths =
        Manifests.mounts(agent).values().stream().map(VolumeMount::getMountPath).toList();
    for (String name : List.of("STASIS_AGENT_TLS_CERT", "STASIS_AGENT_TLS_KEY")) {
      String file = Manifests.value(env, name);
      assertThat(mountPaths).as(name).anySatisfy(m -> assertThat(file).startsWith(m + "/"));
    }
    for (String name : List.of("STASIS_CHECKPOINT_DIR", "STASIS_JOURNAL_DIR")) {
      assertThat(mountPaths).as(name).contains(Manifests.value(env, name));
    }
    String work = Manifests.value(env, "STASIS_WORK_DIR");
    assertThat(mountPaths).anySatisfy(m -> assertThat(work).startsWith(m + "/"));
  }

  @Test
  void registrySettingsReachTheAgentAndItsCredentialsAreAMountedFile() {
    ChartFixture.Rendered r =
        ChartFixture.renderYaml(
            """
            registry:
              url: registry.example.com:5000
              repository: team/restores
              secretName: registry-push
              insecure: true
            """);
    PodSpec p = Manifests.pod(Manifests.agent(r));
    Container c = Manifests.only(p);
    var env = Manifests.env(c);
    assertThat(Manifests.value(env, "STASIS_REGISTRY")).isEqualTo("registry.example.com:5000");
    assertThat(Manifests.value(env, "STASIS_REGISTRY_REPOSITORY")).isEqualTo("team/restores");
    assertThat(Manifests.value(env, "STASIS_REGISTRY_PLAIN_HTTP")).isEqualTo("true");
    assertThat(Manifests.value(env, "STASIS_REGISTRY_SECRET"))
        .isEqualTo("/var/run/secrets/stasis.dev/registry/.dockerconfigjson");
    Volume auth = Manifests.volumes(p).get("registry-auth");
    assertThat(auth.getSecret().getSecretName()).isEqualTo("registry-push");
    assertThat(auth.getSecret().getItems())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getKey()).isEqualTo(".dockerconfigjson");
              assertThat(i.getPath()).isEqualTo(".dockerconfigjson");
            });
    VolumeMount mount = Manifests.mounts(c).get("registry-auth");
    assertThat(mount.getMountPath()).isEqualTo("/var/run/secrets/stasis.dev/registry");
    assertThat(mount.getReadOnly()).isTrue();
  }

  @Test
  void kubeletAndCallerSettingsApply() {
    ChartFixture.Rendered r =
        ChartFixture.renderYaml(
            """
            agent:
              port: 19443
              maxConcurrentJobs: 4
              kubelet: {host: 127.0.0.1, port: 10255, insecureSkipVerify: true, caFile: /etc/kubelet-ca/ca.crt}
              bandwidthLimit: 100Mi
              tmpSizeLimit: 20Gi
              allowedCallers: ["system:serviceaccount:ci:stasis-cli"]
              tokenAudience: stasis.example.com
            """);
    var env = Manifests.env(Manifests.only(Manifests.pod(Manifests.agent(r))));
    assertThat(Manifests.value(env, "STASIS_KUBELET_HOST")).isEqualTo("127.0.0.1");
    assertThat(Manifests.value(env, "STASIS_KUBELET_PORT")).isEqualTo("10255");
    assertThat(Manifests.value(env, "STASIS_KUBELET_INSECURE_SKIP_VERIFY")).isEqualTo("true");
    assertThat(Manifests.value(env, "STASIS_KUBELET_CA")).isEqualTo("/etc/kubelet-ca/ca.crt");
    assertThat(Manifests.value(env, "STASIS_MAX_CONCURRENT_JOBS")).isEqualTo("4");
    assertThat(Manifests.value(env, "STASIS_ALLOWED_CALLERS"))
        .isEqualTo(
            "system:serviceaccount:" + NS + ":stasis-operator,system:serviceaccount:ci:stasis-cli");
    assertThat(Manifests.value(env, "STASIS_AGENT_TOKEN_AUDIENCE")).isEqualTo("stasis.example.com");
    assertThat(Manifests.value(env, "STASIS_AGENT_PORT")).isEqualTo("19443");
    assertThat(Manifests.value(env, "STASIS_BANDWIDTH_LIMIT")).isEqualTo("100Mi");
    assertThat(
            Manifests.volumes(Manifests.pod(Manifests.agent(r)))
                .get("tmp")
                .getEmptyDir()
                .getSizeLimit())
        .hasToString("20Gi");
    // The operator dials the same port and mints tokens for the same audience.
    var operator = Manifests.operator(r);
    var opEnv = Manifests.env(Manifests.only(Manifests.pod(operator)));
    assertThat(Manifests.value(opEnv, "STASIS_AGENT_PORT")).isEqualTo("19443");
    assertThat(
            Manifests.volumes(Manifests.pod(operator))
                .get("agent-token")
                .getProjected()
                .getSources())
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.getServiceAccountToken().getAudience())
                    .isEqualTo("stasis.example.com"));
  }

  @Test
  void probesUseTheHttpPort() {
    assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(agent.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(agent.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "9090")
        .containsEntry("prometheus.io/path", "/metrics");
    assertThat(agent.getResources().getLimits()).containsKey("memory");
    assertThat(agent.getResources().getRequests()).containsKeys("cpu", "memory");
  }

  @Test
  void extraVolumesSelinuxAndSchedulingValuesApply() {
    ChartFixture.Rendered r =
        ChartFixture.renderYaml(
            """
            agent:
              seLinuxOptions: {type: spc_t}
              nodeSelector: {stasis.dev/checkpoint: "true"}
              tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
              priorityClassName: system-node-critical
              extraVolumes: [{name: shared, nfs: {server: nfs.example, path: /exports/stasis}}]
              extraVolumeMounts: [{name: shared, mountPath: /mnt/shared}]
              extraEnv: [{name: JAVA_TOOL_OPTIONS, value: "-Xss1m"}]
            """);
    PodSpec p = Manifests.pod(Manifests.agent(r));
    assertThat(p.getSecurityContext().getSeLinuxOptions().getType()).isEqualTo("spc_t");
    assertThat(p.getNodeSelector()).containsExactly(Map.entry("stasis.dev/checkpoint", "true"));
    assertThat(p.getTolerations()).extracting(Toleration::getKey).containsExactly("gpu");
    assertThat(p.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(Manifests.volumes(p).get("shared").getNfs().getServer()).isEqualTo("nfs.example");
    assertThat(Manifests.mounts(Manifests.only(p)).get("shared").getMountPath())
        .isEqualTo("/mnt/shared");
    assertThat(Manifests.value(Manifests.env(Manifests.only(p)), "JAVA_TOOL_OPTIONS"))
        .isEqualTo("-Xss1m");
  }
}
