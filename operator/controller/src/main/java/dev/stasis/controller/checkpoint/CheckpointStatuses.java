package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.ContainerCheckpointStatus;
import dev.stasis.api.v1alpha1.Progress;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Status transitions shared by the Checkpoint steps. */
final class CheckpointStatuses {
  private CheckpointStatuses() {}

  /** A deep copy of the current status (never null, phase Pending when unset). */
  static CheckpointStatus copy(Checkpoint checkpoint, StatusFactory factory) {
    CheckpointStatus status =
        checkpoint.getStatus() == null
            ? new CheckpointStatus()
            : Serialization.clone(checkpoint.getStatus());
    if (status.getPhase() == null) {
      status.setPhase(CheckpointPhase.Pending);
    }
    if (status.getStartTime() == null) {
      status.setStartTime(factory.timestamp());
    }
    status.setObservedGeneration(checkpoint.getMetadata().getGeneration());
    return status;
  }

  /** Ends a checkpoint Failed with a reason on the Ready condition and a message for people. */
  static CheckpointStatus fail(
      CheckpointStatus status,
      StatusFactory factory,
      String reason,
      String message,
      Long generation) {
    status.setPhase(CheckpointPhase.Failed);
    status.setMessage(message);
    status.setCompletionTime(factory.timestamp());
    status.setConditions(
        factory.set(status.getConditions(), Reasons.READY, false, reason, message, generation));
    return status;
  }

  static long totalStored(CheckpointStatus status) {
    return status.getContainers().stream()
        .mapToLong(c -> c.getStoredBytes() == null ? 0 : c.getStoredBytes())
        .sum();
  }

  static ContainerCheckpointStatus container(
      String name,
      String image,
      String object,
      String compression,
      long archiveBytes,
      long storedBytes,
      String sha256) {
    ContainerCheckpointStatus c = new ContainerCheckpointStatus();
    c.setName(name);
    c.setImage(image);
    c.setObject(object);
    if (compression != null && !compression.isBlank()) {
      try {
        c.setCompression(dev.stasis.api.v1alpha1.Compression.fromValue(compression));
      } catch (IllegalArgumentException e) {
        // An agent newer than this operator: leave it out rather than fail.
      }
    }
    c.setArchiveBytes(archiveBytes);
    c.setStoredBytes(storedBytes);
    c.setSha256(sha256);
    return c;
  }

  static Progress progress(long done, long total) {
    return new Progress(done, total > 0 ? total : null);
  }
}
