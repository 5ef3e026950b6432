package dev.stasis.controller.storage;

import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.CheckpointStorageStatus;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;

/**
 * The one place a CheckpointStorage's status is written: from what a check found, or from a check
 * that could not run, with the time from the {@link StatusFactory}'s clock.
 */
final class StorageStatuses {
  private final StatusFactory factory;

  StorageStatuses(StatusFactory factory) {
    this.factory = factory;
  }

  /**
   * Available, or Unavailable with the check's reason; conditions Validated, Reachable (once valid)
   * and Ready.
   */
  CheckpointStorageStatus checked(CheckpointStorage storage, StorageCheck check) {
    CheckpointStorageStatus status = validatedNow(storage);
    if (check.outcome() == StorageCheck.Outcome.INVALID) {
      factory.set(status, Reasons.VALIDATED, false, check.reason(), check.message());
    } else {
      factory.set(status, Reasons.VALIDATED, true, Reasons.AVAILABLE, "configuration is valid");
      if (check.outcome() == StorageCheck.Outcome.UNREACHABLE) {
        factory.set(status, Reasons.REACHABLE, false, check.reason(), check.message());
      } else {
        factory.set(
            status, Reasons.REACHABLE, true, Reasons.AVAILABLE, "reachable at " + status.getUrl());
      }
    }
    if (check.outcome() == StorageCheck.Outcome.AVAILABLE) {
      status.setPhase(StoragePhase.Available);
      status.setMessage("available at " + status.getUrl());
      factory.set(status, Reasons.READY, true, Reasons.AVAILABLE, status.getMessage());
    } else {
      status.setPhase(StoragePhase.Unavailable);
      status.setMessage(check.message());
      factory.set(status, Reasons.READY, false, check.reason(), check.message());
    }
    return status;
  }

  /** Unavailable: the check itself failed. */
  CheckpointStorageStatus checkFailed(CheckpointStorage storage, Exception e) {
    CheckpointStorageStatus status = validatedNow(storage);
    status.setPhase(StoragePhase.Unavailable);
    status.setMessage("cannot validate: " + e.getMessage());
    factory.set(status, Reasons.READY, false, "ReconcileError", status.getMessage());
    return status;
  }

  /** A copy of the current status, with what the spec says and the time of this check. */
  private CheckpointStorageStatus validatedNow(CheckpointStorage storage) {
    CheckpointStorageStatus status =
        StatusFactory.copy(
            storage.getStatus(),
            CheckpointStorageStatus::new,
            storage.getMetadata().getGeneration());
    status.setType(storage.getSpec().backendType());
    status.setUrl(StorageResolver.rootUri(storage));
    status.setLastValidated(factory.timestamp());
    return status;
  }
}
