package dev.stasis.controller.restore;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Restore;
import dev.stasis.api.v1alpha1.RestorePhase;
import dev.stasis.api.v1alpha1.RestoreStatus;
import dev.stasis.api.v1alpha1.RestoredImage;
import dev.stasis.controller.Services;
import dev.stasis.controller.agent.AgentEndpoint;
import dev.stasis.controller.agent.AgentException;
import dev.stasis.controller.agent.AgentJob;
import dev.stasis.controller.agent.AgentRefusedException;
import dev.stasis.controller.agent.AgentUnreachableException;
import dev.stasis.controller.agent.JobNotFoundException;
import dev.stasis.controller.agent.RestoreJobRequest;
import dev.stasis.controller.checkpoint.CheckpointReconciler;
import dev.stasis.controller.status.FirstStatus;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.status.StatusPatch;
import dev.stasis.controller.storage.CatalogException;
import dev.stasis.controller.storage.StorageUnavailableException;
import dev.stasis.controller.storage.StoredCheckpoint;
import dev.stasis.controller.util.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles Restores: resolve the source, choose the node, have its agent download the checkpoint
 * and push checkpoint images (Downloading, Restoring), create the Pod from the saved pod spec with
 * those images, and follow it to Running.
 */
@ControllerConfiguration(name = RestoreReconciler.NAME)
public class RestoreReconciler implements Reconciler<Restore> {
  public static final String NAME = "restore";
  private static final Logger LOG = LoggerFactory.getLogger(RestoreReconciler.class);
  private static final Duration WAIT_FOR_CHECKPOINT = Duration.ofSeconds(5);

  private final Services services;
  private final SourceResolver sources;

  public RestoreReconciler(Services services) {
    this.services = services;
    this.sources = new SourceResolver(services);
  }

  private record Step(RestoreStatus status, Duration requeue) {}

  @Override
  public UpdateControl<Restore> reconcile(Restore restore, Context<Restore> context) {
    RestorePhase before = restore.getStatus() == null ? null : restore.getStatus().getPhase();
    if (before != null && before.isFinal()) {
      return UpdateControl.noUpdate();
    }
    RestoreStatus status = copy(restore);
    Step step;
    try {
      if (status.getRestoredPod() != null) {
        step = followPod(restore, status);
      } else if (status.getPhase() == RestorePhase.Downloading
          || status.getPhase() == RestorePhase.Restoring) {
        step = followJob(restore, status);
      } else {
        step = start(restore, status);
      }
    } catch (RestoreFailure f) {
      step = new Step(fail(restore, status, f.reason(), f.getMessage()), null);
    }
    publish(restore, before, step.status());
    UpdateControl<Restore> control;
    if (before == null) {
      FirstStatus.write(services.client(), restore, step.status());
      control = UpdateControl.noUpdate();
    } else {
      control = UpdateControl.patchStatus(StatusPatch.of(restore, step.status(), Restore::new));
    }
    return step.requeue() == null ? control : control.rescheduleAfter(step.requeue());
  }

  private Step start(Restore restore, RestoreStatus status) throws RestoreFailure {
    Long generation = restore.getMetadata().getGeneration();
    RestoreSource source;
    try {
      source = sources.resolve(restore);
    } catch (RestoreWait w) {
      status.setMessage(w.getMessage());
      status.setConditions(
          services
              .status()
              .set(
                  status.getConditions(),
                  Reasons.SOURCE_RESOLVED,
                  false,
                  Reasons.PENDING,
                  w.getMessage(),
                  generation));
      return new Step(status, WAIT_FOR_CHECKPOINT);
    }
    StoredCheckpoint manifest = source.manifest();
    status.setCheckpoint(source.checkpointName());
    status.setPath(manifest.uri());
    status.setConditions(
        services
            .status()
            .set(
                status.getConditions(),
                Reasons.SOURCE_RESOLVED,
                true,
                Reasons.COMPLETED,
                "checkpoint of pod "
                    + manifest.namespace()
                    + "/"
                    + manifest.podName()
                    + " at "
                    + manifest.uri(),
                generation));
    String node =
        TargetNodeChooser.choose(
            restore.getSpec(),
            services.client().nodes().list().getItems(),
            services.locator().nodesWithAgents(),
            manifest.nodeName());
    AgentEndpoint agent =
        services
            .locator()
            .onNode(node)
            .orElseThrow(
                () ->
                    new RestoreFailure(
                        Reasons.NO_AGENT_ON_NODE, "no running Stasis agent on node " + node));
    status.setNodeName(node);
    AgentJob job =
        services
            .agents()
            .startRestore(
                agent,
                new RestoreJobRequest(
                    restore.getMetadata().getUid(),
                    manifest.uri(),
                    source.location().config(),
                    manifest.containers().stream()
                        .map(StoredCheckpoint.StoredContainer::name)
                        .toList(),
                    services.settings().registry(),
                    services.settings().registryRepository(),
                    services.settings().registryPlainHttp()));
    return applyJob(restore, status, job);
  }

  private Step followJob(Restore restore, RestoreStatus status) throws RestoreFailure {
    String node = status.getNodeName();
    AgentEndpoint agent =
        services
            .locator()
            .onNode(node)
            .orElseThrow(
                () ->
                    new AgentUnreachableException("no running Stasis agent on node " + node, null));
    AgentJob job;
    try {
      job = services.agents().getJob(agent, restore.getMetadata().getUid());
    } catch (JobNotFoundException e) {
      throw new RestoreFailure(
          Reasons.JOB_LOST,
          "the agent on node "
              + node
              + " no longer knows this restore's job; create a new Restore");
    }
    return applyJob(restore, status, job);
  }

  private Step applyJob(Restore restore, RestoreStatus status, AgentJob job) throws RestoreFailure {
    Long generation = restore.getMetadata().getGeneration();
    switch (job.state()) {
      case QUEUED, RUNNING -> {
        boolean building = "BuildingImage".equals(job.phase()) || "Pushing".equals(job.phase());
        status.setPhase(building ? RestorePhase.Restoring : RestorePhase.Downloading);
        status.setMessage(
            (building
                    ? "building and pushing checkpoint images on node "
                    : "downloading the checkpoint on node ")
                + status.getNodeName());
        status.setConditions(
            services
                .status()
                .set(
                    status.getConditions(),
                    Reasons.READY,
                    false,
                    Reasons.IN_PROGRESS,
                    status.getMessage(),
                    generation));
        return new Step(status, services.settings().pollInterval());
      }
      case SUCCEEDED -> {
        List<RestoredImage> images =
            job.images().stream()
                .map(i -> new RestoredImage(i.container(), i.reference(), i.digest()))
                .toList();
        status.setImages(images);
        status.setConditions(
            services
                .status()
                .set(
                    status.getConditions(),
                    Reasons.IMAGES_PUSHED,
                    true,
                    Reasons.COMPLETED,
                    images.size() + " checkpoint image(s) pushed",
                    generation));
        Pod pod = createPod(restore, status, images);
        status.setRestoredPod(pod.getMetadata().getName());
        status.setPhase(RestorePhase.Restoring);
        status.setMessage(
            "created pod " + pod.getMetadata().getName() + " on node " + status.getNodeName());
        return new Step(status, services.settings().pollInterval());
      }
      default ->
          throw new RestoreFailure(
              job.reason() == null || job.reason().isBlank() ? "JobFailed" : job.reason(),
              job.message() == null || job.message().isBlank()
                  ? "the agent's job ended " + job.state()
                  : job.message());
    }
  }

  private Pod createPod(Restore restore, RestoreStatus status, List<RestoredImage> images)
      throws RestoreFailure {
    String ns = restore.getMetadata().getNamespace();
    var pods = services.client().pods().inNamespace(ns);
    // Ours already (a retried step, or a status write that did not land): use it.
    Optional<Pod> existing =
        pods
            .withLabel(Stasis.LABEL_RESTORE, Names.labelValue(restore.getMetadata().getName()))
            .list()
            .getItems()
            .stream()
            .filter(p -> ownedBy(p, restore))
            .findFirst();
    if (existing.isPresent()) {
      return existing.get();
    }
    StoredCheckpoint manifest;
    try {
      var storages = services.client().resources(CheckpointStorage.class).list().getItems();
      var location = services.resolver().forCheckpointUri(status.getPath(), storages);
      manifest =
          services
              .catalog()
              .read(location, status.getPath())
              .orElseThrow(
                  () ->
                      new RestoreFailure(
                          Reasons.CHECKPOINT_NOT_FOUND,
                          "no manifest.json at " + status.getPath() + " any more"));
    } catch (StorageUnavailableException | CatalogException e) {
      throw new RestoreFailure(
          Reasons.STORAGE_UNAVAILABLE,
          "cannot read the manifest at " + status.getPath() + ": " + e.getMessage());
    }
    String name;
    if (restore.getSpec().getPodName() != null) {
      name = restore.getSpec().getPodName();
      if (pods.withName(name).get() != null) {
        throw new RestoreFailure(
            Reasons.POD_CREATE_FAILED, "pod " + ns + "/" + name + " (spec.podName) already exists");
      }
    } else if (pods.withName(manifest.podName()).get() == null) {
      name = manifest.podName();
    } else {
      name =
          Names.withSuffix(
              manifest.podName() + "-restored", Names.suffix(restore.getMetadata().getUid()), 253);
    }
    String restoredFrom =
        status.getCheckpoint() != null ? status.getCheckpoint() : manifest.checkpointName();
    Pod pod =
        RestoredPodFactory.build(
            restore,
            name,
            status.getNodeName(),
            manifest.podSpecJson(),
            originalLabels(ns, status.getCheckpoint(), manifest),
            manifest.podAnnotations(),
            images,
            restoredFrom,
            status.getPath());
    try {
      Pod created = pods.resource(pod).create();
      services
          .events()
          .normal(
              restore,
              "PodCreated",
              "CreatePod",
              "created pod " + name + " on node " + status.getNodeName());
      return created;
    } catch (KubernetesClientException e) {
      throw new RestoreFailure(
          Reasons.POD_CREATE_FAILED, "cannot create pod " + name + ": " + e.getMessage());
    }
  }

  /**
   * The original pod's labels: the manifest's; for a manifest without them (written by an older
   * agent), those the Checkpoint resource recorded when the checkpoint started.
   */
  private Map<String, String> originalLabels(
      String ns, String checkpointName, StoredCheckpoint manifest) {
    if (!manifest.podLabels().isEmpty() || checkpointName == null) {
      return manifest.podLabels();
    }
    Checkpoint checkpoint =
        services
            .client()
            .resources(Checkpoint.class)
            .inNamespace(ns)
            .withName(checkpointName)
            .get();
    return checkpoint == null ? Map.of() : CheckpointReconciler.podLabels(checkpoint);
  }

  private static boolean ownedBy(Pod pod, Restore restore) {
    return pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> restore.getMetadata().getUid().equals(o.getUid()));
  }

  private Step followPod(Restore restore, RestoreStatus status) throws RestoreFailure {
    Long generation = restore.getMetadata().getGeneration();
    Pod pod =
        services
            .client()
            .pods()
            .inNamespace(restore.getMetadata().getNamespace())
            .withName(status.getRestoredPod())
            .get();
    if (pod == null) {
      throw new RestoreFailure(
          Reasons.POD_GONE, "the restored pod " + status.getRestoredPod() + " was deleted");
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Running".equals(phase) || "Succeeded".equals(phase)) {
      status.setPhase(RestorePhase.Running);
      status.setCompletionTime(services.status().timestamp());
      status.setMessage(
          "pod "
              + status.getRestoredPod()
              + " restored from "
              + status.getPath()
              + " runs on node "
              + status.getNodeName());
      var conditions =
          services
              .status()
              .set(
                  status.getConditions(),
                  Reasons.POD_RUNNING,
                  true,
                  Reasons.RUNNING,
                  status.getMessage(),
                  generation);
      status.setConditions(
          services
              .status()
              .set(
                  conditions,
                  Reasons.READY,
                  true,
                  Reasons.RUNNING,
                  status.getMessage(),
                  generation));
      return new Step(status, null);
    }
    if ("Failed".equals(phase)) {
      String why =
          pod.getStatus().getMessage() != null
              ? pod.getStatus().getMessage()
              : pod.getStatus().getReason();
      throw new RestoreFailure(
          Reasons.POD_FAILED, "the restored pod " + status.getRestoredPod() + " failed: " + why);
    }
    status.setMessage(
        "waiting for pod "
            + status.getRestoredPod()
            + " to run (now "
            + (phase == null ? "Pending" : phase)
            + ")");
    return new Step(status, services.settings().pollInterval());
  }

  @Override
  public ErrorStatusUpdateControl<Restore> updateErrorStatus(
      Restore restore, Context<Restore> context, Exception e) {
    RestorePhase before = restore.getStatus() == null ? null : restore.getStatus().getPhase();
    if (before != null && before.isFinal()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    RestoreStatus status = copy(restore);
    AgentException agentError = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AgentException a) {
        agentError = a;
        break;
      }
    }
    String reason =
        agentError instanceof AgentUnreachableException
            ? Reasons.AGENT_UNREACHABLE
            : agentError instanceof AgentRefusedException
                ? Reasons.AGENT_REFUSED
                : "ReconcileError";
    String message = agentError != null ? agentError.getMessage() : String.valueOf(e.getMessage());
    Optional<RetryInfo> retry = context.getRetryInfo();
    if (retry.map(RetryInfo::isLastAttempt).orElse(true)
        || agentError instanceof AgentRefusedException) {
      fail(restore, status, reason, message);
      publish(restore, before, status);
      if (before == null) {
        FirstStatus.write(services.client(), restore, status);
        return ErrorStatusUpdateControl.<Restore>noStatusUpdate().withNoRetry();
      }
      return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(restore, status, Restore::new))
          .withNoRetry();
    }
    status.setMessage(message + " (attempt " + retry.get().getAttemptCount() + ", retrying)");
    status.setConditions(
        services
            .status()
            .set(
                status.getConditions(),
                agentError != null ? "AgentReachable" : Reasons.READY,
                false,
                reason,
                status.getMessage(),
                restore.getMetadata().getGeneration()));
    if (before == null) {
      FirstStatus.write(services.client(), restore, status);
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(restore, status, Restore::new));
  }

  private RestoreStatus copy(Restore restore) {
    RestoreStatus status =
        restore.getStatus() == null
            ? new RestoreStatus()
            : Serialization.clone(restore.getStatus());
    if (status.getPhase() == null) {
      status.setPhase(RestorePhase.Pending);
    }
    if (status.getStartTime() == null) {
      status.setStartTime(services.status().timestamp());
    }
    status.setObservedGeneration(restore.getMetadata().getGeneration());
    return status;
  }

  private RestoreStatus fail(Restore restore, RestoreStatus status, String reason, String message) {
    status.setPhase(RestorePhase.Failed);
    status.setMessage(message);
    status.setCompletionTime(services.status().timestamp());
    status.setConditions(
        services
            .status()
            .set(
                status.getConditions(),
                Reasons.READY,
                false,
                reason,
                message,
                restore.getMetadata().getGeneration()));
    return status;
  }

  private void publish(Restore restore, RestorePhase before, RestoreStatus after) {
    RestorePhase previous = before == null ? RestorePhase.Pending : before;
    if (after.getPhase() == previous) {
      return;
    }
    LOG.info("phase {} -> {}: {}", previous, after.getPhase(), after.getMessage());
    Duration took =
        StatusFactory.parse(after.getStartTime())
            .flatMap(
                s ->
                    StatusFactory.parse(after.getCompletionTime()).map(c -> Duration.between(s, c)))
            .orElse(null);
    switch (after.getPhase()) {
      case Failed -> {
        String reason =
            StatusFactory.find(after.getConditions(), Reasons.READY)
                .map(c -> c.getReason())
                .orElse("Failed");
        services.events().warning(restore, reason, "Restore", after.getMessage());
        services.metrics().restoreFinished("failed", reason, took);
      }
      case Running -> {
        services.events().normal(restore, "Running", "Restore", after.getMessage());
        services.metrics().restoreFinished("running", "", took);
      }
      default ->
          services.events().normal(restore, after.getPhase().name(), "Restore", after.getMessage());
    }
  }
}
