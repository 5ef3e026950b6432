package dev.stasis.controller.termination;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What says a node is about to go away, most urgent first: GKE's preemption notice, the taints the
 * AWS Node Termination Handler sets, and a cordon (for a drain). Each has a short name (in the
 * names of the Checkpoints it starts and in the settings) and a default for how long such a
 * checkpoint may take ({@code activeDeadlineSeconds}).
 */
public enum TerminationSignal {
  /** GKE: a spot or preemptible VM gets 30 s. */
  GKE_TERMINATION("gke", "cloud.google.com/impending-node-termination", 25),
  /** AWS: a spot interruption notice, two minutes before the instance is reclaimed. */
  SPOT_INTERRUPTION("spot", "aws-node-termination-handler/spot-itn", 100),
  /** AWS: the Auto Scaling group is terminating the instance (lifecycle hook). */
  ASG_TERMINATION("asg", "aws-node-termination-handler/asg-lifecycle-termination", 100),
  /** AWS: a rebalance recommendation, an interruption may follow with two minutes' notice. */
  REBALANCE_RECOMMENDATION(
      "rebalance", "aws-node-termination-handler/rebalance-recommendation", 100),
  /** AWS: a scheduled maintenance event (reboot, retirement). */
  SCHEDULED_MAINTENANCE("maintenance", "aws-node-termination-handler/scheduled-maintenance", 300),
  /**
   * {@code kubectl drain} (or cordon): spec.unschedulable, taint node.kubernetes.io/unschedulable.
   */
  DRAIN("drain", "node.kubernetes.io/unschedulable", 300);

  private final String shortName;
  private final String taintKey;
  private final long defaultDeadlineSeconds;

  TerminationSignal(String shortName, String taintKey, long defaultDeadlineSeconds) {
    this.shortName = shortName;
    this.taintKey = taintKey;
    this.defaultDeadlineSeconds = defaultDeadlineSeconds;
  }

  /** The short name: in Checkpoint names and the STASIS_TERMINATION_DEADLINE_* settings. */
  public String shortName() {
    return shortName;
  }

  /** The taint that carries the signal. */
  public String taintKey() {
    return taintKey;
  }

  public long defaultDeadlineSeconds() {
    return defaultDeadlineSeconds;
  }

  /** The most urgent signal a node carries; empty for a node that is not going away. */
  public static Optional<TerminationSignal> of(Node node) {
    List<Taint> taints =
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.of()
            : node.getSpec().getTaints();
    boolean cordoned =
        node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    return Arrays.stream(values())
        .filter(
            s ->
                (s == DRAIN && cordoned)
                    || taints.stream().anyMatch(t -> s.taintKey.equals(t.getKey())))
        .findFirst();
  }
}
