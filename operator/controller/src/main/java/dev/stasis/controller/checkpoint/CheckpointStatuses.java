package dev.stasis.controller.checkpoint;

import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import dev.stasis.api.v1alpha1.ContainerCheckpointStatus;
import dev.stasis.api.v1alpha1.Progress;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.util.StoredArchive;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;

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

  /** The status's list of containers, one per stored archive. */
  static List<ContainerCheckpointStatus> containers(List<? extends StoredArchive> archives) {
    List<ContainerCheckpointStatus> out = new ArrayList<>();
    for (StoredArchive a : archives) {
      ContainerCheckpointStatus c = new ContainerCheckpointStatus();
      c.setName(a.name());
      c.setImage(a.image());
      c.setObject(a.objectUri());
      if (a.compression() != null && !a.compression().isBlank()) {
        try {
          c.setCompression(dev.stasis.api.v1alpha1.Compression.fromValue(a.compression()));
        } catch (IllegalArgumentException e) {
          // An agent newer than this operator: leave it out rather than fail.
        }
      }
      c.setArchiveBytes(a.archiveBytes());
      c.setStoredBytes(a.storedBytes());
      c.setSha256(a.sha256());
      out.add(c);
    }
    return out;
  }

  /** Bytes of all the archives, uncompressed. */
  static long archiveBytes(List<? extends StoredArchive> archives) {
    return archives.stream().mapToLong(StoredArchive::archiveBytes).sum();
  }

  static Progress progress(long done, long total) {
    return new Progress(done, total > 0 ? total : null);
  }
}
