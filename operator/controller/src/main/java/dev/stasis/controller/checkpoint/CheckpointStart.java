package dev.stasis.controller.checkpoint;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointSpec;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.Services;
import dev.stasis.controller.agent.AgentEndpoint;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.agent.CheckpointJobRequest;
import dev.stasis.controller.agent.CheckpointJobRequest.ContainerRef;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StorageSelection;
import dev.stasis.controller.storage.StorageSelector;
import dev.stasis.controller.storage.StorageUnavailableException;
import dev.stasis.controller.util.Names;
import dev.stasis.controller.util.PodMetadata;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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
  private final Services services;

  CheckpointStart(Services services) {
    this.services = services;
  }

  CheckpointStep run(Checkpoint checkpoint, CheckpointStatus status) {
    var factory = services.status();
    Long generation = checkpoint.getMetadata().getGeneration();
    CheckpointSpec spec = checkpoint.getSpec();
    String ns = checkpoint.getMetadata().getNamespace();

    Optional<String> invalid = CheckpointValidation.problems(spec);
    if (invalid.isPresent()) {
      return fail(status, Reasons.INVALID_SPEC, invalid.get(), generation);
    }

    Pod pod = services.client().pods().inNamespace(ns).withName(spec.getPodName()).get();
    if (pod == null) {
      return fail(
          status,
          Reasons.POD_NOT_FOUND,
          "pod " + ns + "/" + spec.getPodName() + " does not exist",
          generation);
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
              + "; only a Running pod can be checkpointed",
          generation);
    }
    status.setNodeName(nodeName);
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
                  + ")",
              generation);
        }
        containers.add(new ContainerRef(name, c.get().getImage()));
      }
    }

    Node node = services.client().nodes().withName(nodeName).get();
    List<CheckpointStorage> storages =
        services.client().resources(CheckpointStorage.class).list().getItems();
    StorageSelection selection;
    try {
      selection = StorageSelector.select(spec, node, storages);
    } catch (StorageSelector.NoStorageException e) {
      return fail(status, Reasons.STORAGE_NOT_FOUND, e.getMessage(), generation);
    }
    status.setStorage(selection.display());
    status.setStorageReason(selection.reason());
    status.setConditions(
        factory.set(
            status.getConditions(),
            Reasons.STORAGE_SELECTED,
            true,
            selection.conditionReason(),
            selection.display() + ": " + selection.reason(),
            generation));
    if (selection.storage() != null
        && selection.storage().getStatus() != null
        && selection.storage().getStatus().getPhase() == StoragePhase.Unavailable) {
      return fail(
          status,
          Reasons.STORAGE_UNAVAILABLE,
          "CheckpointStorage '"
              + selection.display()
              + "' is Unavailable: "
              + selection.storage().getStatus().getMessage(),
          generation);
    }
    StorageLocation location;
    try {
      location =
          selection.storage() != null
              ? services.resolver().resolve(selection.storage())
              : services.resolver().resolveDir(selection.dir());
    } catch (StorageUnavailableException e) {
      String reason =
          Reasons.STORAGE_NOT_FOUND.equals(e.reason())
              ? Reasons.STORAGE_NOT_FOUND
              : Reasons.STORAGE_UNAVAILABLE;
      return fail(status, reason, e.getMessage(), generation);
    }

    Optional<AgentEndpoint> agent = services.locator().onNode(nodeName);
    if (agent.isEmpty()) {
      return fail(
          status,
          Reasons.NO_AGENT_ON_NODE,
          "no running Stasis agent on node "
              + nodeName
              + " (pods labelled "
              + services.settings().agentLabels()
              + " in namespace "
              + services.settings().agentNamespace()
              + "); is the agent DaemonSet scheduled there?",
          generation);
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
    AgentJob job = services.agents().startCheckpoint(agent.get(), request);
    status.setPath(expectedPath(location.rootUri(), checkpoint));
    status.setConditions(
        factory.set(
            status.getConditions(),
            Reasons.AGENT_REACHABLE,
            true,
            Reasons.RUNNING,
            "agent " + agent.get().podName() + " accepted the job",
            generation));
    return new CheckpointProgress(services).apply(checkpoint, status, job);
  }

  /**
   * Labels the Checkpoint with its pod's name and keeps the pod's labels in an annotation, so that
   * a Restore's latestOf finds it by pod name or by workload labels.
   */
  private void recordPod(Checkpoint checkpoint, Pod pod) {
    var labels = checkpoint.getMetadata().getLabels();
    var annotations = checkpoint.getMetadata().getAnnotations();
    String podLabel = Names.labelValue(pod.getMetadata().getName());
    String podLabels = CheckpointReconciler.podLabelsAnnotation(pod.getMetadata().getLabels());
    if (labels != null
        && podLabel.equals(labels.get(Stasis.LABEL_POD))
        && annotations != null
        && podLabels.equals(annotations.get(CheckpointReconciler.ANNOTATION_POD_LABELS))) {
      return;
    }
    Map<String, Object> patch =
        Map.of(
            "metadata",
            Map.of(
                "labels", Map.of(Stasis.LABEL_POD, podLabel),
                "annotations", Map.of(CheckpointReconciler.ANNOTATION_POD_LABELS, podLabels)));
    services
        .client()
        .resources(Checkpoint.class)
        .inNamespace(checkpoint.getMetadata().getNamespace())
        .withName(checkpoint.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
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

  private CheckpointStep fail(
      CheckpointStatus status, String reason, String message, Long generation) {
    return CheckpointStep.done(
        CheckpointStatuses.fail(status, services.status(), reason, message, generation));
  }

  static boolean started(CheckpointStatus status) {
    return status.getPhase() == CheckpointPhase.Checkpointing
        || status.getPhase() == CheckpointPhase.Uploading;
  }
}
