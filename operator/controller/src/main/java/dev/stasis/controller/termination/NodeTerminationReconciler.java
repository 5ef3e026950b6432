package dev.stasis.controller.termination;

import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.status.EventRecorder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Optional;

/**
 * Watches Nodes for a sign that one is going away ({@link TerminationSignal}: a cordon, the AWS
 * Node Termination Handler's taints, GKE's impending-node-termination taint) and checkpoints the
 * pods on it that opted in ({@link OptedInPods}), one Checkpoint each ({@link
 * TerminationCheckpoints}), with the signal's deadline ({@link TerminationDeadlines}). Restoring
 * them elsewhere is {@link TerminationRestoreReconciler}'s job. Nodes are never changed.
 *
 * <p>Every change of a Node is looked at (taints and spec.unschedulable do not move its
 * generation), and a node with a signal again every {@link #RELOOK}, so that a pod that opts in or
 * starts running after the signal is still taken.
 */
@ControllerConfiguration(
    name = NodeTerminationReconciler.NAME,
    generationAwareEventProcessing = false)
public class NodeTerminationReconciler implements Reconciler<Node> {
  public static final String NAME = "node-termination";
  static final Duration RELOOK = Duration.ofSeconds(10);

  private final OptedInPods optedIn;
  private final TerminationCheckpoints checkpoints;
  private final TerminationDeadlines deadlines;

  public NodeTerminationReconciler(
      KubernetesClient client, OperatorSettings settings, EventRecorder events) {
    this.optedIn = new OptedInPods(client, settings.watchNamespaces());
    this.checkpoints = new TerminationCheckpoints(client, events);
    this.deadlines = settings.terminationDeadlines();
  }

  @Override
  public UpdateControl<Node> reconcile(Node node, Context<Node> context) {
    Optional<TerminationSignal> signal = TerminationSignal.of(node);
    if (signal.isEmpty()) {
      return UpdateControl.noUpdate();
    }
    String nodeName = node.getMetadata().getName();
    long deadline = deadlines.of(signal.get());
    for (OptedInPods.OptIn pod : optedIn.on(nodeName)) {
      checkpoints.create(pod, nodeName, signal.get(), deadline);
    }
    return UpdateControl.<Node>noUpdate().rescheduleAfter(RELOOK);
  }
}
