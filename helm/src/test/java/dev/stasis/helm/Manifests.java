package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.LinkedHashMap;
import java.util.Map;

/** Typed access to the rendered workloads. */
final class Manifests {
  private Manifests() {}

  static DaemonSet agent(ChartFixture.Rendered rendered) {
    return rendered.get("DaemonSet", ChartFixture.NAMESPACE, "stasis-agent").as(DaemonSet.class);
  }

  static Deployment operator(ChartFixture.Rendered rendered) {
    return rendered
        .get("Deployment", ChartFixture.NAMESPACE, "stasis-operator")
        .as(Deployment.class);
  }

  static PodSpec pod(DaemonSet ds) {
    return ds.getSpec().getTemplate().getSpec();
  }

  static PodSpec pod(Deployment d) {
    return d.getSpec().getTemplate().getSpec();
  }

  static Container only(PodSpec pod) {
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(pod.getInitContainers()).isNullOrEmpty();
    return pod.getContainers().get(0);
  }

  static Map<String, EnvVar> env(Container container) {
    Map<String, EnvVar> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      assertThat(env.put(var.getName(), var)).as("env %s set twice", var.getName()).isNull();
    }
    return env;
  }

  static String value(Map<String, EnvVar> env, String name) {
    assertThat(env).containsKey(name);
    EnvVar var = env.get(name);
    assertThat(var.getValueFrom()).as("%s is a literal", name).isNull();
    return var.getValue() == null ? "" : var.getValue();
  }

  static String fieldRef(Map<String, EnvVar> env, String name) {
    assertThat(env).containsKey(name);
    EnvVar var = env.get(name);
    assertThat(var.getValueFrom()).as("%s comes from the downward API", name).isNotNull();
    return var.getValueFrom().getFieldRef().getFieldPath();
  }

  static Map<String, VolumeMount> mounts(Container container) {
    Map<String, VolumeMount> mounts = new LinkedHashMap<>();
    for (VolumeMount m : container.getVolumeMounts()) {
      assertThat(mounts.put(m.getName(), m)).as("mount %s twice", m.getName()).isNull();
    }
    return mounts;
  }

  static Map<String, Volume> volumes(PodSpec pod) {
    Map<String, Volume> volumes = new LinkedHashMap<>();
    for (Volume v : pod.getVolumes()) {
      assertThat(volumes.put(v.getName(), v)).as("volume %s twice", v.getName()).isNull();
    }
    return volumes;
  }
}
