package dev.stasis.controller.checkpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.DeletionPolicy;
import dev.stasis.controller.Services;
import dev.stasis.controller.agent.AgentException;
import dev.stasis.controller.agent.AgentRefusedException;
import dev.stasis.controller.agent.AgentUnreachableException;
import dev.stasis.controller.status.FirstStatus;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.status.StatusPatch;
import dev.stasis.controller.storage.CatalogException;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StorageUnavailableException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles Checkpoints. Thin: picks the step for the current phase and writes what it decided.
 *
 * <pre>
 *   (new) --start--> Checkpointing --poll--> Uploading --poll--> Completed --ttl--> deleted
 *     \                    \                     \
 *      +--------------------+---------------------+--> Failed (reason on the Ready condition)
 * </pre>
 *
 * Deleting a Checkpoint runs {@link #cleanup}: deletionPolicy Delete removes its objects from
 * storage, Retain keeps them.
 */
@ControllerConfiguration(name = CheckpointReconciler.NAME, finalizerName = Stasis.FINALIZER)
public class CheckpointReconciler implements Reconciler<Checkpoint>, Cleaner<Checkpoint> {
  public static final String NAME = "checkpoint";

  /** On an imported Checkpoint: the URI of the checkpoint directory it was found at. */
  public static final String ANNOTATION_IMPORTED_PATH = Stasis.GROUP + "/imported-path";

  /**
   * On a Checkpoint: the checkpointed pod's labels as a JSON object (keys sorted), for Restore
   * latestOf.selector. Set from the pod when the checkpoint starts, and from the manifest's {@code
   * podMetadata.labels} on an imported Checkpoint. An annotation rather than the labels themselves:
   * the pod's labels could collide with Stasis' own ({@code stasis.dev/pod}, {@code
   * stasis.dev/imported}), and anything selecting the workload by its labels ({@code kubectl delete
   * checkpoints,pods -l app=web}) would take the Checkpoints along.
   */
  public static final String ANNOTATION_POD_LABELS = Stasis.GROUP + "/pod-labels";

  /** The value of {@link #ANNOTATION_POD_LABELS} for these labels. */
  public static String podLabelsAnnotation(Map<String, String> labels) {
    return Serialization.asJson(labels == null ? Map.of() : new TreeMap<>(labels));
  }

  /** The pod labels a Checkpoint records ({@link #ANNOTATION_POD_LABELS}); empty if none. */
  public static Map<String, String> podLabels(Checkpoint checkpoint) {
    var annotations = checkpoint.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(ANNOTATION_POD_LABELS);
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    try {
      return Serialization.jsonMapper()
          .readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (java.io.IOException | RuntimeException e) {
      return Map.of();
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointReconciler.class);

  private final Services services;
  private final CheckpointStart start;
  private final CheckpointProgress progress;
  private final CheckpointImport importer;
  private final CheckpointRetention retention;

  public CheckpointReconciler(Services services) {
    this.services = services;
    this.start = new CheckpointStart(services);
    this.progress = new CheckpointProgress(services);
    this.importer = new CheckpointImport(services);
    this.retention = new CheckpointRetention(services);
  }

  @Override
  public UpdateControl<Checkpoint> reconcile(Checkpoint checkpoint, Context<Checkpoint> context) {
    CheckpointPhase before = phaseOf(checkpoint);
    CheckpointStatus status = CheckpointStatuses.copy(checkpoint, services.status());

    if (before != null && before.isFinal()) {
      return afterEnd(checkpoint, status);
    }
    CheckpointStep step;
    if (CheckpointRetention.isImported(checkpoint)) {
      step = importer.run(checkpoint, status);
    } else if (CheckpointStart.started(status)) {
      step = progress.run(checkpoint, status);
    } else {
      step = start.run(checkpoint, status);
    }
    publish(checkpoint, before, step.status());
    Duration next = step.requeue();
    if (next == null && step.status().getPhase().isFinal()) {
      next = nextAfterEnd(checkpoint, step.status()).orElse(null);
    }
    UpdateControl<Checkpoint> control;
    if (before == null) {
      FirstStatus.write(services.client(), checkpoint, step.status());
      control = UpdateControl.noUpdate();
    } else {
      control =
          UpdateControl.patchStatus(StatusPatch.of(checkpoint, step.status(), Checkpoint::new));
    }
    return next == null ? control : control.rescheduleAfter(next);
  }

  /** A Completed or Failed checkpoint: delete the pod if asked, then wait for the ttl. */
  private UpdateControl<Checkpoint> afterEnd(Checkpoint checkpoint, CheckpointStatus status) {
    if (retention.podDeletionDue(checkpoint, status)) {
      CheckpointStatus updated = retention.deletePod(checkpoint, status);
      UpdateControl<Checkpoint> control =
          UpdateControl.patchStatus(StatusPatch.of(checkpoint, updated, Checkpoint::new));
      return nextAfterEnd(checkpoint, updated).map(control::rescheduleAfter).orElse(control);
    }
    Optional<Duration> ttl = retention.ttlRemaining(checkpoint, status);
    if (ttl.isPresent() && ttl.get().compareTo(Duration.ZERO) <= 0) {
      LOG.info("ttl {} expired; deleting the Checkpoint", checkpoint.getSpec().getTtl());
      services
          .events()
          .normal(
              checkpoint,
              "Expired",
              "Delete",
              "ttl " + checkpoint.getSpec().getTtl() + " passed since completion; deleting");
      services.client().resource(checkpoint).delete();
      return UpdateControl.noUpdate();
    }
    UpdateControl<Checkpoint> control = UpdateControl.noUpdate();
    return ttl.map(control::rescheduleAfter).orElse(control);
  }

  private Optional<Duration> nextAfterEnd(Checkpoint checkpoint, CheckpointStatus status) {
    if (retention.podDeletionDue(checkpoint, status)) {
      return Optional.of(Duration.ZERO.plusMillis(1));
    }
    return retention
        .ttlRemaining(checkpoint, status)
        .map(d -> d.isNegative() ? Duration.ofMillis(1) : d);
  }

  @Override
  public ErrorStatusUpdateControl<Checkpoint> updateErrorStatus(
      Checkpoint checkpoint, Context<Checkpoint> context, Exception e) {
    CheckpointPhase before = phaseOf(checkpoint);
    if (before != null && before.isFinal()) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    CheckpointStatus status = CheckpointStatuses.copy(checkpoint, services.status());
    Long generation = checkpoint.getMetadata().getGeneration();
    AgentException agentError = agentCause(e);
    String reason =
        agentError instanceof AgentUnreachableException
            ? Reasons.AGENT_UNREACHABLE
            : agentError instanceof AgentRefusedException
                ? Reasons.AGENT_REFUSED
                : "ReconcileError";
    String message = agentError != null ? agentError.getMessage() : String.valueOf(e.getMessage());
    Optional<RetryInfo> retry = context.getRetryInfo();
    boolean last = retry.map(RetryInfo::isLastAttempt).orElse(true);
    if (last || agentError instanceof AgentRefusedException) {
      String full =
          agentError instanceof AgentUnreachableException
              ? message
                  + " (gave up after "
                  + retry.map(RetryInfo::getAttemptCount).orElse(1)
                  + " attempts)"
              : message;
      CheckpointStatuses.fail(status, services.status(), reason, full, generation);
      publish(checkpoint, before, status);
      if (before == null) {
        FirstStatus.write(services.client(), checkpoint, status);
        return ErrorStatusUpdateControl.<Checkpoint>noStatusUpdate().withNoRetry();
      }
      return ErrorStatusUpdateControl.patchStatus(
              StatusPatch.of(checkpoint, status, Checkpoint::new))
          .withNoRetry();
    }
    String type = agentError != null ? Reasons.AGENT_REACHABLE : Reasons.READY;
    status.setMessage(message + " (attempt " + retry.get().getAttemptCount() + ", retrying)");
    status.setConditions(
        services
            .status()
            .set(status.getConditions(), type, false, reason, status.getMessage(), generation));
    if (before == null) {
      FirstStatus.write(services.client(), checkpoint, status);
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(
        StatusPatch.of(checkpoint, status, Checkpoint::new));
  }

  @Override
  public DeleteControl cleanup(Checkpoint checkpoint, Context<Checkpoint> context) {
    CheckpointStatus status = checkpoint.getStatus();
    if (status == null) {
      return DeleteControl.defaultDelete();
    }
    if (CheckpointStart.started(status) && status.getNodeName() != null) {
      services
          .locator()
          .onNode(status.getNodeName())
          .ifPresent(
              agent -> {
                try {
                  services.agents().cancelJob(agent, checkpoint.getMetadata().getUid());
                } catch (AgentException e) {
                  LOG.warn("could not cancel the job on {}: {}", agent.podName(), e.getMessage());
                }
              });
    }
    if (checkpoint.getSpec().getDeletionPolicy() != DeletionPolicy.Delete
        || status.getPath() == null
        || status.getPhase() == CheckpointPhase.Pending) {
      return DeleteControl.defaultDelete();
    }
    try {
      StorageLocation location = locationOf(status);
      services.catalog().delete(location, status.getPath());
      LOG.info("deletionPolicy Delete: removed {}", status.getPath());
      services
          .events()
          .normal(
              checkpoint,
              "ObjectsDeleted",
              "Delete",
              "deletionPolicy Delete: removed " + status.getPath());
      return DeleteControl.defaultDelete();
    } catch (CatalogException | StorageUnavailableException e) {
      LOG.warn("cannot delete {} yet: {}", status.getPath(), e.getMessage());
      services
          .events()
          .warning(
              checkpoint,
              "DeleteFailed",
              "Delete",
              "cannot delete " + status.getPath() + " (will retry): " + e.getMessage());
      return DeleteControl.noFinalizerRemoval()
          .rescheduleAfter(services.settings().storageCheckInterval());
    }
  }

  private StorageLocation locationOf(CheckpointStatus status) throws StorageUnavailableException {
    var storages = services.client().resources(CheckpointStorage.class).list().getItems();
    if (status.getStorage() != null) {
      for (CheckpointStorage s : storages) {
        if (status.getStorage().equals(s.getMetadata().getName())) {
          return services.resolver().resolve(s);
        }
      }
    }
    return services.resolver().forCheckpointUri(status.getPath(), storages);
  }

  /** Events and metrics for a phase change. */
  private void publish(Checkpoint checkpoint, CheckpointPhase before, CheckpointStatus after) {
    CheckpointPhase previous = before == null ? CheckpointPhase.Pending : before;
    CheckpointPhase now = after.getPhase();
    if (now == previous) {
      return;
    }
    LOG.info("phase {} -> {}: {}", previous, now, after.getMessage());
    switch (now) {
      case Checkpointing ->
          services
              .events()
              .normal(
                  checkpoint,
                  "Checkpointing",
                  "Checkpoint",
                  "checkpointing pod "
                      + checkpoint.getSpec().getPodName()
                      + " on node "
                      + after.getNodeName()
                      + " to "
                      + after.getStorage()
                      + " ("
                      + after.getStorageReason()
                      + ")");
      case Uploading ->
          services.events().normal(checkpoint, "Uploading", "Upload", after.getMessage());
      case Completed -> {
        services.events().normal(checkpoint, "Completed", "Checkpoint", after.getMessage());
        services
            .metrics()
            .checkpointFinished(
                CheckpointRetention.isImported(checkpoint) ? "imported" : "completed",
                "",
                after.getSize() == null ? 0 : after.getSize(),
                duration(after));
      }
      case Failed -> {
        String reason =
            StatusFactory.find(after.getConditions(), Reasons.READY)
                .map(c -> c.getReason())
                .orElse("Failed");
        services.events().warning(checkpoint, reason, "Checkpoint", after.getMessage());
        services.metrics().checkpointFinished("failed", reason, 0, duration(after));
      }
      default -> {}
    }
  }

  private static Duration duration(CheckpointStatus status) {
    var start = StatusFactory.parse(status.getStartTime());
    var end = StatusFactory.parse(status.getCompletionTime());
    return start.isPresent() && end.isPresent() ? Duration.between(start.get(), end.get()) : null;
  }

  private static AgentException agentCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AgentException a) {
        return a;
      }
    }
    return null;
  }

  private static CheckpointPhase phaseOf(Checkpoint checkpoint) {
    return checkpoint.getStatus() == null ? null : checkpoint.getStatus().getPhase();
  }
}
