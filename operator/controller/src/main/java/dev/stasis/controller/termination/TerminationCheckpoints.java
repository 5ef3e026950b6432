package dev.stasis.controller.termination;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointSpec;
import dev.stasis.api.v1alpha1.CheckpointTemplate;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.util.Names;
import dev.stasis.controller.util.OwnerReferences;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Checkpoint of a pod whose node is going away: named {@code <pod>-<signal>-<hash of the pod's
 * UID and the node>} (so that seeing the node again, or another signal of the same node, never
 * makes a second one), labelled {@code stasis.dev/reason: node-termination} and {@code
 * stasis.dev/node}, with the signal's activeDeadlineSeconds; its spec from the asking schedule's
 * template (which owns it), else the defaults (storage chosen by node).
 */
final class TerminationCheckpoints {
  private static final Logger LOG = LoggerFactory.getLogger(TerminationCheckpoints.class);
  private static final int MAX_NAME = 63;

  private final KubernetesClient client;
  private final EventRecorder events;

  TerminationCheckpoints(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
  }

  /** The name of the Checkpoint taken of a pod before its node goes away. */
  static String name(Pod pod, String nodeName, TerminationSignal signal) {
    String hash = Names.suffix(pod.getMetadata().getUid() + "/" + nodeName);
    return Names.withSuffix(pod.getMetadata().getName(), signal.shortName() + "-" + hash, MAX_NAME);
  }

  /** Creates the pod's Checkpoint unless it exists; the created one, or empty. */
  Optional<Checkpoint> create(
      OptedInPods.OptIn optIn, String nodeName, TerminationSignal signal, long deadlineSeconds) {
    Pod pod = optIn.pod();
    String ns = pod.getMetadata().getNamespace();
    Checkpoint checkpoint = build(optIn, nodeName, signal, deadlineSeconds);
    String name = checkpoint.getMetadata().getName();
    if (alreadyTaken(ns, nodeName, pod)) {
      return Optional.empty();
    }
    try {
      Checkpoint created =
          client.resources(Checkpoint.class).inNamespace(ns).resource(checkpoint).create();
      String message =
          "node "
              + nodeName
              + " is going away ("
              + signal.taintKey()
              + "): checkpointing pod "
              + pod.getMetadata().getName()
              + " within "
              + deadlineSeconds
              + "s"
              + (optIn.schedule() != null
                  ? " for CheckpointSchedule " + optIn.schedule().getMetadata().getName()
                  : " (annotation " + Stasis.ANNOTATION_CHECKPOINT_ON_TERMINATION + ")")
              + (optIn.restore() ? ", then restoring it on another node" : "");
      LOG.info("{}/{}: {}", ns, name, message);
      events.normal(created, "NodeTermination", "Checkpoint", message);
      return Optional.of(created);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Whether this pod already has a checkpoint for this node's termination (any signal). */
  private boolean alreadyTaken(String ns, String nodeName, Pod pod) {
    return client
        .resources(Checkpoint.class)
        .inNamespace(ns)
        .withLabel(Stasis.LABEL_REASON, Stasis.REASON_NODE_TERMINATION)
        .withLabel(Stasis.LABEL_NODE, Names.labelValue(nodeName))
        .list()
        .getItems()
        .stream()
        .anyMatch(
            c ->
                c.getSpec() != null
                    && pod.getMetadata().getName().equals(c.getSpec().getPodName())
                    && c.getMetadata().getName().endsWith(hashOf(pod, nodeName)));
  }

  private static String hashOf(Pod pod, String nodeName) {
    return Names.suffix(pod.getMetadata().getUid() + "/" + nodeName);
  }

  private static Checkpoint build(
      OptedInPods.OptIn optIn, String nodeName, TerminationSignal signal, long deadlineSeconds) {
    Pod pod = optIn.pod();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Stasis.LABEL_REASON, Stasis.REASON_NODE_TERMINATION);
    labels.put(Stasis.LABEL_NODE, Names.labelValue(nodeName));
    labels.put(Stasis.LABEL_POD, Names.labelValue(pod.getMetadata().getName()));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Stasis.ANNOTATION_TERMINATION_SIGNAL, signal.taintKey());
    if (optIn.restore()) {
      annotations.put(Stasis.ANNOTATION_RESTORE_ON_TERMINATION, "true");
    }
    ObjectMetaBuilder meta =
        new ObjectMetaBuilder()
            .withName(name(pod, nodeName, signal))
            .withNamespace(pod.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(annotations);
    CheckpointSpec spec = new CheckpointSpec();
    spec.setPodName(pod.getMetadata().getName());
    spec.setActiveDeadlineSeconds(deadlineSeconds);
    CheckpointSchedule schedule = optIn.schedule();
    if (schedule != null) {
      meta.withOwnerReferences(OwnerReferences.controller(schedule, false));
      CheckpointTemplate template = schedule.getSpec().getTemplate();
      if (template != null) {
        spec.setContainers(
            template.getContainers() == null
                ? new ArrayList<>()
                : new ArrayList<>(template.getContainers()));
        spec.setStorage(template.getStorage());
        spec.setDir(template.getDir());
        spec.setCompression(template.getCompression());
        spec.setDeletionPolicy(template.getDeletionPolicy());
      }
    }
    Checkpoint checkpoint = new Checkpoint();
    checkpoint.setMetadata(meta.build());
    checkpoint.setSpec(spec);
    return checkpoint;
  }
}
