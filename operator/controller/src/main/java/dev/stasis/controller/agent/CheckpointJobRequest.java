package dev.stasis.controller.agent;

import dev.stasis.api.v1alpha1.Compression;
import java.util.List;

/** What StartCheckpoint needs (mirrors {@code stasis.agent.v1.StartCheckpointRequest}). */
public record CheckpointJobRequest(
    String jobId,
    String namespace,
    String podName,
    String podUid,
    String checkpointName,
    List<ContainerRef> containers,
    String destinationUri,
    StorageConfig storage,
    Compression compression,
    String podSpecJson) {

  public CheckpointJobRequest {
    containers = List.copyOf(containers);
  }

  /** A container of the pod and its image. */
  public record ContainerRef(String name, String image) {}
}
