package dev.stasis.controller.workload;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointSpec;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.ReconcileStep;
import dev.stasis.controller.status.StatusFactory;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workload checkpoint: a Checkpoint with {@code spec.selector} or {@code spec.workloadRef}
 * instead of {@code spec.podName}.
 *
 * <pre>
 *   Pending --{@link #run}: Running pods found ({@link TargetPods}), one Checkpoint per pod
 *     created at once--> Checkpointing --{@link #run}: all of them Completed--> Completed
 *   Pending --no Running pod--> Failed (NoTargetPods)
 *   Checkpointing --all ended, some Failed--> Failed (PodsFailed, naming them)
 * </pre>
 *
 * Each pod's Checkpoint ({@code <parent>-<pod>}, owned by this one, labelled {@value
 * Stasis#LABEL_WORKLOAD_CHECKPOINT}) carries the parent's spec with {@code podName} set, and is
 * taken by the single-pod machinery: they all start together, each agent dumping its pod's
 * containers one kubelet call after the other. The status adds them up ({@link
 * WorkloadCheckpointStatuses}).
 */
public final class WorkloadCheckpoint {
  private final TargetPods targets;
  private final WorkloadChildren children;
  private final WorkloadCheckpointStatuses statuses;
  private final Duration pollInterval;

  public WorkloadCheckpoint(
      KubernetesClient client, StatusFactory statusFactory, Duration pollInterval) {
    this.targets = new TargetPods(client);
    this.children = new WorkloadChildren(client);
    this.statuses = new WorkloadCheckpointStatuses(statusFactory);
    this.pollInterval = pollInterval;
  }

  /** Whether a Checkpoint is a workload checkpoint (no podName: a selector or a workloadRef). */
  public static boolean targets(Checkpoint checkpoint) {
    CheckpointSpec spec = checkpoint.getSpec();
    return spec != null && spec.getPodName() == null;
  }

  /** One step: start (Pending) or add up the pods' Checkpoints (Checkpointing). */
  public ReconcileStep<CheckpointStatus> run(Checkpoint parent, CheckpointStatus status) {
    if (status.getPhase() == CheckpointPhase.Pending) {
      Optional<CheckpointStatus> refused = start(parent, status);
      if (refused.isPresent()) {
        return ReconcileStep.done(refused.get());
      }
    }
    List<Optional<Checkpoint>> current =
        status.getPods().stream()
            .map(p -> children.named(parent, Checkpoint.class, p.getCheckpoint()))
            .toList();
    CheckpointStatus next = statuses.aggregate(status, current);
    return next.getPhase().isFinal()
        ? ReconcileStep.done(next)
        : ReconcileStep.again(next, pollInterval);
  }

  /** Finds the pods and creates their Checkpoints; a Failed status when there is nothing to do. */
  private Optional<CheckpointStatus> start(Checkpoint parent, CheckpointStatus status) {
    CheckpointSpec spec = parent.getSpec();
    if (!oneTarget(spec)) {
      return Optional.of(
          statuses.failed(
              status,
              Reasons.INVALID_SPEC,
              "set exactly one of spec.podName, spec.selector (not empty) and spec.workloadRef"));
    }
    String ns = parent.getMetadata().getNamespace();
    TargetPods.Resolved resolved =
        targets.resolve(ns, null, spec.getSelector(), spec.getWorkloadRef());
    if (resolved.pods().isEmpty()) {
      return Optional.of(
          statuses.failed(status, WorkloadCheckpointStatuses.NO_TARGET_PODS, resolved.problem()));
    }
    Map<String, String> names = new LinkedHashMap<>();
    for (Pod pod : resolved.pods()) {
      String podName = pod.getMetadata().getName();
      names.put(podName, WorkloadChildren.name(parent.getMetadata().getName(), podName));
    }
    statuses.podsFound(
        status, TargetPods.describe(null, spec.getSelector(), spec.getWorkloadRef()), names);
    names.forEach((pod, name) -> children.createOnce(childOf(parent, pod, name)));
    return Optional.empty();
  }

  /** Exactly one of a non-empty selector and a workloadRef (podName is not set here). */
  private static boolean oneTarget(CheckpointSpec spec) {
    boolean selector = spec.getSelector() != null && !spec.getSelector().isEmpty();
    boolean workload = spec.getWorkloadRef() != null;
    return selector != workload && (spec.getSelector() == null || selector);
  }

  /** The parent's spec for one pod: podName set, the workload target cleared. */
  private static Checkpoint childOf(Checkpoint parent, String pod, String name) {
    CheckpointSpec spec = Serialization.clone(parent.getSpec());
    spec.setPodName(pod);
    spec.setSelector(null);
    spec.setWorkloadRef(null);
    Checkpoint child = new Checkpoint();
    child.setMetadata(new ObjectMeta());
    child.getMetadata().setName(name);
    WorkloadChildren.own(child, parent, Stasis.LABEL_WORKLOAD_CHECKPOINT);
    child.setSpec(spec);
    return child;
  }
}
