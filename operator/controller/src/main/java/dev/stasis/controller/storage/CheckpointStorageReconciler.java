package dev.stasis.controller.storage;

import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.CheckpointStorageStatus;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.OperatorSettings;
import dev.stasis.controller.metrics.StasisMetrics;
import dev.stasis.controller.status.EventRecorder;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.status.StatusWriter;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates CheckpointStorages and checks they are reachable, on every change and then every few
 * minutes: phase Available or Unavailable with the reason. Only one storage may be the default: the
 * oldest keeps it, the later ones are Unavailable with reason DuplicateDefault. An Available
 * storage is also synced: checkpoints in it that have no resource here are imported.
 *
 * <pre>
 *   (any) --{@link StorageChecker}--> Available --{@link StorageSync}--> (imported Checkpoints)
 *                                \--> Unavailable (reason on the Ready condition)
 * </pre>
 */
@ControllerConfiguration(name = CheckpointStorageReconciler.NAME)
public class CheckpointStorageReconciler implements Reconciler<CheckpointStorage> {
  public static final String NAME = "checkpointstorage";
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStorageReconciler.class);

  private final StorageChecker checker;
  private final StorageStatuses statuses;
  private final StorageSync sync;
  private final EventRecorder events;
  private final StatusWriter writer;
  private final StasisMetrics metrics;
  private final Duration checkInterval;

  public CheckpointStorageReconciler(
      OperatorSettings settings,
      StatusFactory statusFactory,
      EventRecorder events,
      StasisMetrics metrics,
      Storages storages) {
    this.checker = new StorageChecker(storages);
    this.statuses = new StorageStatuses(statusFactory);
    this.sync = new StorageSync(storages.client(), settings, storages.catalog(), metrics);
    this.events = events;
    this.metrics = metrics;
    this.writer = new StatusWriter(storages.client());
    this.checkInterval = settings.storageCheckInterval();
  }

  @Override
  public UpdateControl<CheckpointStorage> reconcile(
      CheckpointStorage storage, Context<CheckpointStorage> context) {
    StoragePhase before = phaseOf(storage);
    StorageCheck check = checker.check(storage);
    CheckpointStorageStatus status = statuses.checked(storage, check);
    metrics.storageChecked(
        storage.getMetadata().getName(), status.getPhase() == StoragePhase.Available);
    if (before != status.getPhase()) {
      LOG.info("phase {} -> {}: {}", before, status.getPhase(), status.getMessage());
      if (status.getPhase() == StoragePhase.Available) {
        events.normal(storage, "Available", "Validate", status.getMessage());
      } else {
        events.warning(storage, check.reason(), "Validate", check.message());
      }
    }
    if (check.outcome() == StorageCheck.Outcome.AVAILABLE) {
      try {
        sync.sync(storage.getMetadata().getName(), check.location());
      } catch (CatalogException | RuntimeException e) {
        LOG.warn("sync of {} failed: {}", status.getUrl(), e.getMessage());
      }
    }
    return writer
        .update(storage, before == null, status, CheckpointStorage::new)
        .rescheduleAfter(checkInterval);
  }

  @Override
  public ErrorStatusUpdateControl<CheckpointStorage> updateErrorStatus(
      CheckpointStorage storage, Context<CheckpointStorage> context, Exception e) {
    return writer.updateOnError(
        storage,
        phaseOf(storage) == null,
        statuses.checkFailed(storage, e),
        CheckpointStorage::new);
  }

  private static StoragePhase phaseOf(CheckpointStorage storage) {
    return storage.getStatus() == null ? null : storage.getStatus().getPhase();
  }
}
