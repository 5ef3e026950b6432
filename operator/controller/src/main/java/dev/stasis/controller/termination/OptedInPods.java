package dev.stasis.controller.termination;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointScheduleSpec;
import dev.stasis.controller.workload.TargetPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pods on a node that asked to be checkpointed before it goes away: those annotated {@code
 * stasis.dev/checkpoint-on-termination: "true"}, and those a CheckpointSchedule of their namespace
 * with {@code onNodeTermination: true} targets. Only Running pods that are not being deleted count,
 * in the watched namespaces.
 */
final class OptedInPods {
  /**
   * A pod that opted in.
   *
   * @param schedule the schedule that asked for it; null when only the pod's annotation did
   * @param restore whether to restore it on another node once checkpointed
   */
  record OptIn(Pod pod, CheckpointSchedule schedule, boolean restore) {}

  private final KubernetesClient client;
  private final Set<String> watchNamespaces;
  private final TargetPods targets;

  OptedInPods(KubernetesClient client, Set<String> watchNamespaces) {
    this.client = client;
    this.watchNamespaces = watchNamespaces;
    this.targets = new TargetPods(client);
  }

  List<OptIn> on(String nodeName) {
    Map<String, List<CheckpointSchedule>> schedules = new HashMap<>();
    Map<String, Set<String>> targeted = new HashMap<>();
    List<OptIn> out = new ArrayList<>();
    for (Pod pod : podsOn(nodeName)) {
      String ns = pod.getMetadata().getNamespace();
      boolean annotated = annotation(pod, Stasis.ANNOTATION_CHECKPOINT_ON_TERMINATION);
      boolean restoreAnnotated = annotation(pod, Stasis.ANNOTATION_RESTORE_ON_TERMINATION);
      Optional<CheckpointSchedule> schedule =
          schedules.computeIfAbsent(ns, this::terminationSchedules).stream()
              .filter(
                  s ->
                      targeted
                          .computeIfAbsent(s.getMetadata().getUid(), uid -> targetsOf(s))
                          .contains(pod.getMetadata().getName()))
              .findFirst();
      if (schedule.isPresent()) {
        boolean restore = Boolean.TRUE.equals(schedule.get().getSpec().getRestoreOnTermination());
        out.add(new OptIn(pod, schedule.get(), restore || restoreAnnotated));
      } else if (annotated) {
        out.add(new OptIn(pod, null, restoreAnnotated));
      }
    }
    return out;
  }

  private List<Pod> podsOn(String nodeName) {
    List<Pod> pods =
        watchNamespaces.isEmpty()
            ? client.pods().inAnyNamespace().list().getItems()
            : watchNamespaces.stream()
                .flatMap(ns -> client.pods().inNamespace(ns).list().getItems().stream())
                .toList();
    return pods.stream()
        .filter(p -> p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName()))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .sorted(
            Comparator.comparing((Pod p) -> p.getMetadata().getNamespace())
                .thenComparing(p -> p.getMetadata().getName()))
        .toList();
  }

  /**
   * The namespace's schedules with onNodeTermination, oldest first (the first that targets wins).
   */
  private List<CheckpointSchedule> terminationSchedules(String namespace) {
    return client
        .resources(CheckpointSchedule.class)
        .inNamespace(namespace)
        .list()
        .getItems()
        .stream()
        .filter(s -> s.getSpec() != null && Boolean.TRUE.equals(s.getSpec().getOnNodeTermination()))
        .sorted(
            Comparator.comparing(
                    (CheckpointSchedule s) -> s.getMetadata().getCreationTimestamp(),
                    Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(s -> s.getMetadata().getName()))
        .toList();
  }

  /** The names of the pods a schedule targets. */
  private Set<String> targetsOf(CheckpointSchedule schedule) {
    CheckpointScheduleSpec spec = schedule.getSpec();
    return targets
        .resolve(
            schedule.getMetadata().getNamespace(),
            spec.getPodName(),
            spec.getSelector(),
            spec.getWorkloadRef())
        .pods()
        .stream()
        .map(p -> p.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  private static boolean annotation(Pod pod, String key) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    return annotations != null && "true".equalsIgnoreCase(annotations.get(key));
  }
}
