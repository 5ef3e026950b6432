package dev.stasis.controller.workload;

import dev.stasis.api.v1alpha1.WorkloadRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pods a Checkpoint or CheckpointSchedule targets: one pod by name, the pods carrying a set of
 * labels, or the pods of a Deployment, StatefulSet, ReplicaSet or Job (through the workload's own
 * label selector). Only Running pods that are not being deleted count: there is nothing to
 * checkpoint in the others. Sorted by name, so that every caller sees them in the same order.
 */
public final class TargetPods {
  private final KubernetesClient client;

  public TargetPods(KubernetesClient client) {
    this.client = client;
  }

  /** What a target resolves to: the pods, or why there are none. */
  public record Resolved(List<Pod> pods, String problem) {
    static Resolved of(List<Pod> pods, String none) {
      return new Resolved(pods, pods.isEmpty() ? none : null);
    }
  }

  /** Exactly one of the three is set, as the CRDs' rules require. */
  public Resolved resolve(
      String namespace, String podName, Map<String, String> selector, WorkloadRef workloadRef) {
    if (podName != null) {
      Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
      return Resolved.of(
          pod != null && checkpointable(pod) ? List.of(pod) : List.of(),
          "pod " + podName + " is not Running in namespace " + namespace);
    }
    if (selector != null) {
      return Resolved.of(
          byLabels(namespace, new LabelSelectorBuilder().withMatchLabels(selector).build()),
          "no Running pod in namespace " + namespace + " carries " + describe(selector));
    }
    Optional<LabelSelector> workloadSelector = selectorOf(namespace, workloadRef);
    if (workloadSelector.isEmpty()) {
      return new Resolved(
          List.of(),
          workloadRef.getKind()
              + " "
              + workloadRef.getName()
              + " not found in namespace "
              + namespace);
    }
    return Resolved.of(
        byLabels(namespace, workloadSelector.get()),
        workloadRef.getKind() + " " + workloadRef.getName() + " has no Running pod");
  }

  /** The target as people say it: pod NAME, app=web, Deployment/web. */
  public static String describe(
      String podName, Map<String, String> selector, WorkloadRef workloadRef) {
    if (podName != null) {
      return "pod " + podName;
    }
    if (selector != null) {
      return describe(selector);
    }
    return workloadRef.getKind() + "/" + workloadRef.getName();
  }

  private static String describe(Map<String, String> labels) {
    return String.join(
        ",",
        labels.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "=" + e.getValue())
            .toList());
  }

  private Optional<LabelSelector> selectorOf(String namespace, WorkloadRef ref) {
    HasMetadata workload =
        switch (ref.getKind()) {
          case Deployment ->
              client.apps().deployments().inNamespace(namespace).withName(ref.getName()).get();
          case StatefulSet ->
              client.apps().statefulSets().inNamespace(namespace).withName(ref.getName()).get();
          case ReplicaSet ->
              client.apps().replicaSets().inNamespace(namespace).withName(ref.getName()).get();
          case Job ->
              client.batch().v1().jobs().inNamespace(namespace).withName(ref.getName()).get();
        };
    if (workload == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        switch (ref.getKind()) {
          case Deployment ->
              ((io.fabric8.kubernetes.api.model.apps.Deployment) workload).getSpec().getSelector();
          case StatefulSet ->
              ((io.fabric8.kubernetes.api.model.apps.StatefulSet) workload).getSpec().getSelector();
          case ReplicaSet ->
              ((io.fabric8.kubernetes.api.model.apps.ReplicaSet) workload).getSpec().getSelector();
          case Job ->
              ((io.fabric8.kubernetes.api.model.batch.v1.Job) workload).getSpec().getSelector();
        });
  }

  private List<Pod> byLabels(String namespace, LabelSelector selector) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabelSelector(selector)
        .list()
        .getItems()
        .stream()
        .filter(TargetPods::checkpointable)
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  private static boolean checkpointable(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && "Running".equals(pod.getStatus().getPhase());
  }
}
