package dev.stasis.controller.checkpoint;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointSpec;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.agent.AgentEndpoint;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.agent.CheckpointJobRequest;
import dev.stasis.controller.agent.CheckpointJobRequest.ContainerRef;
import dev.stasis.controller.agent.NodeAgents;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.ReconcileStep;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StorageSelection;
import dev.stasis.controller.storage.StorageSelector;
import dev.stasis.controller.storage.StorageUnavailableException;
import dev.stasis.controller.storage.Storages;
import dev.stasis.controller.util.Names;
import dev.stasis.controller.util.PodMetadata;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The first step of a Checkpoint: validate, find the pod and its node, choose the storage, find the
 * node's agent, and start the job there (idempotent: the job id is the Checkpoint's UID).
 */
final class CheckpointStart {
  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final NodeAgents agents;
  private final Storages storages;
  private final CheckpointStatuses statuses;
  private final CheckpointProgress progress;

  CheckpointStart(
      KubernetesClient client,
      OperatorSettings settings,
      NodeAgents agents,
      Storages storages,
      CheckpointStatuses statuses,
      CheckpointProgress progress) {
    this.client = client;
    this.settings = settings;
    this.agents = agents;
    this.storages = storages;
    this.statuses = statuses;
    this.progress = progress;
  }

  ReconcileStep<CheckpointStatus> run(Checkpoint checkpoint, CheckpointStatus status) {
    CheckpointSpec spec = checkpoint.getSpec();
    String ns = checkpoint.getMetadata().getNamespace();

    Optional<String> invalid = CheckpointValidation.problems(spec);
    if (invalid.isPresent()) {
      return fail(status, Reasons.INVALID_SPEC, invalid.get());
    }

    Pod pod = client.pods().inNamespace(ns).withName(spec.getPodName()).get();
    if (pod == null) {
      return fail(
          status, Reasons.POD_NOT_FOUND, "pod " + ns + "/" + spec.getPodName() + " does not exist");
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (!"Running".equals(phase) || nodeName == null || nodeName.isBlank()) {
      return fail(
          status,
          Reasons.POD_NOT_RUNNING,
          "pod "
              + ns
              + "/"
              + spec.getPodName()
              + " is "
              + (phase == null ? "not scheduled" : phase)
              + "; only a Running pod can be checkpointed");
    }
    statuses.onNode(status, nodeName);
    recordPod(checkpoint, pod);

    List<ContainerRef> containers = new ArrayList<>();
    List<Container> podContainers = pod.getSpec().getContainers();
    if (spec.getContainers() == null || spec.getContainers().isEmpty()) {
      podContainers.forEach(c -> containers.add(new ContainerRef(c.getName(), c.getImage())));
    } else {
      for (String name : spec.getContainers()) {
        Optional<Container> c =
            podContainers.stream().filter(x -> name.equals(x.getName())).findFirst();
        if (c.isEmpty()) {
          return fail(
              status,
              Reasons.INVALID_SPEC,
              "pod "
                  + spec.getPodName()
                  + " has no container '"
                  + name
                  + "' (it has "
                  + podContainers.stream().map(Container::getName).toList()
                  + ")");
        }
        containers.add(new ContainerRef(name, c.get().getImage()));
      }
    }

    Node node = client.nodes().withName(nodeName).get();
    StorageSelection selection;
    try {
      selection = StorageSelector.select(spec, node, storages.all());
    } catch (StorageSelector.NoStorageException e) {
      return fail(status, Reasons.STORAGE_NOT_FOUND, e.getMessage());
    }
    statuses.storageSelected(status, selection);
    if (selection.storage() != null
        && selection.storage().getStatus() != null
        && selection.storage().getStatus().getPhase() == StoragePhase.Unavailable) {
      return fail(
          status,
          Reasons.STORAGE_UNAVAILABLE,
          "CheckpointStorage '"
              + selection.display()
              + "' is Unavailable: "
              + selection.storage().getStatus().getMessage());
    }
    StorageLocation location;
    try {
      location =
          selection.storage() != null
              ? storages.resolver().resolve(selection.storage())
              : storages.resolver().resolveDir(selection.dir());
    } catch (StorageUnavailableException e) {
      String reason =
          Reasons.STORAGE_NOT_FOUND.equals(e.reason())
              ? Reasons.STORAGE_NOT_FOUND
              : Reasons.STORAGE_UNAVAILABLE;
      return fail(status, reason, e.getMessage());
    }

    Optional<AgentEndpoint> agent = agents.onNode(nodeName);
    if (agent.isEmpty()) {
      return fail(
          status,
          Reasons.NO_AGENT_ON_NODE,
          "no running Stasis agent on node "
              + nodeName
              + " (pods labelled "
              + settings.agentLabels()
              + " in namespace "
              + settings.agentNamespace()
              + "); is the agent DaemonSet scheduled there?");
    }

    CheckpointJobRequest request =
        new CheckpointJobRequest(
            checkpoint.getMetadata().getUid(),
            ns,
            spec.getPodName(),
            pod.getMetadata().getUid(),
            checkpoint.getMetadata().getName(),
            containers,
            location.rootUri(),
            location.config(),
            spec.getCompression() == null ? Compression.ZSTD : spec.getCompression(),
            Serialization.asJson(pod.getSpec()),
            PodMetadata.checkpointLabels(pod.getMetadata().getLabels()),
            PodMetadata.checkpointAnnotations(pod.getMetadata().getAnnotations()));
    // Throws AgentUnreachableException: the reconciler retries with backoff, then fails.
    AgentJob job = agents.client().startCheckpoint(agent.get(), request);
    statuses.jobAccepted(
        status, expectedPath(location.rootUri(), checkpoint), agent.get().podName());
    return progress.apply(checkpoint, status, job);
  }

  /**
   * Labels the Checkpoint with its pod's name and keeps the pod's labels in an annotation, so that
   * a Restore's latestOf finds it by pod name or by workload labels.
   */
  private void recordPod(Checkpoint checkpoint, Pod pod) {
    var labels = checkpoint.getMetadata().getLabels();
    var annotations = checkpoint.getMetadata().getAnnotations();
    String podLabel = Names.labelValue(pod.getMetadata().getName());
    String podLabels = CheckpointAnnotations.podLabelsValue(pod.getMetadata().getLabels());
    if (labels != null
        && podLabel.equals(labels.get(Stasis.LABEL_POD))
        && annotations != null
        && podLabels.equals(annotations.get(CheckpointAnnotations.POD_LABELS))) {
      return;
    }
    CheckpointAnnotations.patchMetadata(
        client,
        checkpoint,
        Map.of(
            "labels", Map.of(Stasis.LABEL_POD, podLabel),
            "annotations", Map.of(CheckpointAnnotations.POD_LABELS, podLabels)));
  }

  /** Where the agent writes: {@code <root>/<namespace>/<pod>/<checkpoint>-<uid 8 chars>}. */
  static String expectedPath(String root, Checkpoint checkpoint) {
    String uid = checkpoint.getMetadata().getUid();
    String base = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    return base
        + "/"
        + checkpoint.getMetadata().getNamespace()
        + "/"
        + checkpoint.getSpec().getPodName()
        + "/"
        + checkpoint.getMetadata().getName()
        + "-"
        + (uid.length() > 8 ? uid.substring(0, 8) : uid);
  }

  private ReconcileStep<CheckpointStatus> fail(
      CheckpointStatus status, String reason, String message) {
    return ReconcileStep.done(statuses.failed(status, reason, message));
  }

  static boolean started(CheckpointStatus status) {
    return status.getPhase() == CheckpointPhase.Checkpointing
        || status.getPhase() == CheckpointPhase.Uploading;
  }
}
