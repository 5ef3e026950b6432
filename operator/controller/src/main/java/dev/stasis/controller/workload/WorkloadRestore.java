package dev.stasis.controller.workload;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestoreSpec;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.api.v1alpha1.WorkloadPodCheckpoint;
import dev.stasis.api.v1alpha1.WorkloadPodRestore;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.ReconcileStep;
import dev.stasis.controller.status.StatusFactory;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workload restore: a Restore whose source is a workload checkpoint ({@link
 * WorkloadRestoreSource}) brings back every pod of it.
 *
 * <pre>
 *   Pending --workload checkpoint Completed: one Restore per pod's Checkpoint created at once-->
 *     Downloading / Restoring --all of them Running--> Running
 *   Pending --workload checkpoint Failed, or spec.podName set--> Failed
 *   (any) --all ended, some Failed--> Failed (PodsFailed, naming them)
 * </pre>
 *
 * Each pod's Restore ({@code <parent>-<pod>}, owned by this one, labelled {@value
 * Stasis#LABEL_WORKLOAD_RESTORE}) restores that pod's Checkpoint with the parent's nodeName and
 * nodeSelector, and is taken by the single-pod machinery, which names the pod as for any Restore.
 */
public final class WorkloadRestore {
  private final KubernetesClient client;
  private final WorkloadRestoreSource sources;
  private final WorkloadChildren children;
  private final WorkloadRestoreStatuses statuses;
  private final Duration pollInterval;

  public WorkloadRestore(
      KubernetesClient client, StatusFactory statusFactory, Duration pollInterval) {
    this.client = client;
    this.sources = new WorkloadRestoreSource(client);
    this.children = new WorkloadChildren(client);
    this.statuses = new WorkloadRestoreStatuses(statusFactory);
    this.pollInterval = pollInterval;
  }

  /** The workload Checkpoint this Restore brings back, or empty for a restore of one pod. */
  public Optional<String> source(Restore restore, RestoreStatus status) {
    return sources.of(restore, status);
  }

  /** One step: start the pods' Restores (Pending), then add them up. */
  public ReconcileStep<RestoreStatus> run(Restore parent, RestoreStatus status, String source) {
    if (status.getPods() == null) {
      Optional<ReconcileStep<RestoreStatus>> notYet = start(parent, status, source);
      if (notYet.isPresent()) {
        return notYet.get();
      }
    }
    List<Optional<Restore>> current =
        status.getPods().stream()
            .map(p -> children.named(parent, Restore.class, p.getRestore()))
            .toList();
    RestoreStatus next = statuses.aggregate(status, current);
    return next.getPhase().isFinal()
        ? ReconcileStep.done(next)
        : ReconcileStep.again(next, pollInterval);
  }

  /** Creates the pods' Restores once the workload checkpoint is Completed. */
  private Optional<ReconcileStep<RestoreStatus>> start(
      Restore parent, RestoreStatus status, String source) {
    String ns = parent.getMetadata().getNamespace();
    if (parent.getSpec().getPodName() != null) {
      return Optional.of(
          ReconcileStep.done(
              statuses.failed(
                  status,
                  Reasons.INVALID_SPEC,
                  "spec.podName names one pod, but Checkpoint "
                      + source
                      + " is a workload checkpoint of several: leave spec.podName empty")));
    }
    Checkpoint checkpoint =
        client.resources(Checkpoint.class).inNamespace(ns).withName(source).get();
    CheckpointPhase phase =
        checkpoint == null || checkpoint.getStatus() == null
            ? null
            : checkpoint.getStatus().getPhase();
    if (checkpoint == null || phase == CheckpointPhase.Failed) {
      return Optional.of(
          ReconcileStep.done(
              statuses.failed(
                  status,
                  checkpoint == null
                      ? Reasons.CHECKPOINT_NOT_FOUND
                      : Reasons.CHECKPOINT_NOT_COMPLETED,
                  "workload Checkpoint "
                      + ns
                      + "/"
                      + source
                      + (checkpoint == null
                          ? " does not exist"
                          : " Failed: " + checkpoint.getStatus().getMessage()))));
    }
    if (phase != CheckpointPhase.Completed) {
      return Optional.of(
          ReconcileStep.again(
              statuses.waiting(
                  status,
                  source,
                  "waiting for workload Checkpoint "
                      + source
                      + " to complete (now "
                      + (phase == null ? "Pending" : phase)
                      + ")"),
              pollInterval));
    }
    List<WorkloadPodCheckpoint> pods = checkpoint.getStatus().getPods();
    Map<String, String> names = new LinkedHashMap<>();
    pods.forEach(
        p ->
            names.put(
                p.getPod(), WorkloadChildren.name(parent.getMetadata().getName(), p.getPod())));
    statuses.podsFound(status, source, pods, names);
    for (WorkloadPodRestore entry : status.getPods()) {
      children.createOnce(childOf(parent, entry));
    }
    return Optional.empty();
  }

  /** A Restore of one pod's Checkpoint, on the node(s) the parent asks for. */
  private static Restore childOf(Restore parent, WorkloadPodRestore entry) {
    RestoreSpec spec = new RestoreSpec();
    spec.setCheckpointName(entry.getCheckpoint());
    spec.setNodeName(parent.getSpec().getNodeName());
    spec.setNodeSelector(parent.getSpec().getNodeSelector());
    Restore child = new Restore();
    child.setMetadata(new ObjectMeta());
    child.getMetadata().setName(entry.getRestore());
    WorkloadChildren.own(child, parent, Stasis.LABEL_WORKLOAD_RESTORE);
    child.setSpec(spec);
    return child;
  }
}
