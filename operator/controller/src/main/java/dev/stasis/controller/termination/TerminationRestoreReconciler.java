package dev.stasis.controller.termination;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestoreSpec;
import dev.stasis.controller.agent.NodeAgents;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * restoreOnTermination: as soon as a Checkpoint taken before its node went away (label {@code
 * stasis.dev/reason: node-termination}, annotation {@code stasis.dev/restore-on-termination:
 * "true"}) is Completed, creates a Restore of it on another node ({@link RestoreNodes}). The
 * Restore and the restored pod carry the Checkpoint's name; the Restore is not owned by the
 * Checkpoint, so that deleting the Checkpoint (a schedule's retention) leaves the restored pod
 * running. The Checkpoint's condition {@code TerminationRestore} says what happened: True with
 * reason RestoreCreated, or False with NoNodeToRestoreOn (and a Warning Event) while no other node
 * can take it, looked at again every {@link #RETRY}.
 */
@ControllerConfiguration(
    name = TerminationRestoreReconciler.NAME,
    // A Checkpoint's phase is in its status, which does not move its generation.
    generationAwareEventProcessing = false,
    informer =
        @Informer(labelSelector = Stasis.LABEL_REASON + "=" + Stasis.REASON_NODE_TERMINATION))
public class TerminationRestoreReconciler implements Reconciler<Checkpoint> {
  public static final String NAME = "termination-restore";
  static final Duration RETRY = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(TerminationRestoreReconciler.class);

  private final KubernetesClient client;
  private final StatusFactory statusFactory;
  private final EventRecorder events;
  private final NodeAgents agents;

  public TerminationRestoreReconciler(
      KubernetesClient client,
      StatusFactory statusFactory,
      EventRecorder events,
      NodeAgents agents) {
    this.client = client;
    this.statusFactory = statusFactory;
    this.events = events;
    this.agents = agents;
  }

  @Override
  public UpdateControl<Checkpoint> reconcile(Checkpoint checkpoint, Context<Checkpoint> context) {
    if (!due(checkpoint)) {
      return UpdateControl.noUpdate();
    }
    String ns = checkpoint.getMetadata().getNamespace();
    String name = checkpoint.getMetadata().getName();
    Restore existing = client.resources(Restore.class).inNamespace(ns).withName(name).get();
    String node;
    if (existing != null) {
      node = existing.getSpec().getNodeName();
    } else {
      Optional<String> target =
          RestoreNodes.choose(
              client.nodes().list().getItems(),
              agents.nodesWithAgents(),
              checkpoint.getStatus().getNodeName());
      if (target.isEmpty()) {
        noNode(checkpoint);
        return UpdateControl.<Checkpoint>noUpdate().rescheduleAfter(RETRY);
      }
      node = target.get();
      client
          .resources(Restore.class)
          .inNamespace(ns)
          .resource(restoreOf(checkpoint, node))
          .create();
      String message =
          "restoring pod "
              + checkpoint.getSpec().getPodName()
              + " on node "
              + node
              + " as pod "
              + name
              + " (Restore "
              + name
              + ")";
      LOG.info("{}/{}: {}", ns, name, message);
      events.normal(checkpoint, Reasons.RESTORE_CREATED, "Restore", message);
    }
    writeCondition(
        checkpoint,
        true,
        Reasons.RESTORE_CREATED,
        "Restore " + name + " restores this checkpoint on node " + node);
    return UpdateControl.noUpdate();
  }

  /** A Completed node-termination checkpoint that wants a restore and has none yet. */
  private static boolean due(Checkpoint checkpoint) {
    Map<String, String> annotations = checkpoint.getMetadata().getAnnotations();
    CheckpointStatus status = checkpoint.getStatus();
    return annotations != null
        && "true".equals(annotations.get(Stasis.ANNOTATION_RESTORE_ON_TERMINATION))
        && checkpoint.getMetadata().getDeletionTimestamp() == null
        && status != null
        && status.getPhase() == CheckpointPhase.Completed
        && !status
            .condition(Reasons.TERMINATION_RESTORE)
            .map(c -> StatusFactory.TRUE.equals(c.getStatus()))
            .orElse(false);
  }

  private void noNode(Checkpoint checkpoint) {
    String message =
        "no other node can take the restore: none is Ready, schedulable, free of a termination"
            + " signal and running a Stasis agent; trying again every "
            + RETRY.toSeconds()
            + "s";
    boolean said =
        checkpoint
            .getStatus()
            .condition(Reasons.TERMINATION_RESTORE)
            .map(c -> Reasons.NO_NODE_TO_RESTORE_ON.equals(c.getReason()))
            .orElse(false);
    if (!said) {
      events.warning(checkpoint, Reasons.NO_NODE_TO_RESTORE_ON, "Restore", message);
      writeCondition(checkpoint, false, Reasons.NO_NODE_TO_RESTORE_ON, message);
    }
  }

  private static Restore restoreOf(Checkpoint checkpoint, String node) {
    Map<String, String> labels = checkpoint.getMetadata().getLabels();
    Restore restore = new Restore();
    restore.setMetadata(
        new ObjectMetaBuilder()
            .withName(checkpoint.getMetadata().getName())
            .withNamespace(checkpoint.getMetadata().getNamespace())
            .withLabels(
                Map.of(
                    Stasis.LABEL_REASON,
                    Stasis.REASON_NODE_TERMINATION,
                    Stasis.LABEL_NODE,
                    labels.getOrDefault(Stasis.LABEL_NODE, "")))
            .build());
    RestoreSpec spec = new RestoreSpec();
    spec.setCheckpointName(checkpoint.getMetadata().getName());
    spec.setPodName(checkpoint.getMetadata().getName());
    spec.setNodeName(node);
    restore.setSpec(spec);
    return restore;
  }

  /** Sets the TerminationRestore condition (an update: a conflict is retried by JOSDK). */
  private void writeCondition(Checkpoint checkpoint, boolean value, String reason, String message) {
    Checkpoint copy =
        client
            .resources(Checkpoint.class)
            .inNamespace(checkpoint.getMetadata().getNamespace())
            .withName(checkpoint.getMetadata().getName())
            .get();
    if (copy == null || copy.getStatus() == null) {
      return;
    }
    statusFactory.set(copy.getStatus(), Reasons.TERMINATION_RESTORE, value, reason, message);
    client.resource(copy).updateStatus();
  }
}
