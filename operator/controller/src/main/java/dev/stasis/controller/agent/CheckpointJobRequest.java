package dev.stasis.controller.agent;

import dev.stasis.api.v1alpha1.Compression;
import java.util.List;
import java.util.Map;

/**
 * What StartCheckpoint needs (mirrors {@code stasis.agent.v1.StartCheckpointRequest}).
 *
 * @param podLabels the pod's labels, kept in the manifest (never null)
 * @param podAnnotations the pod's annotations, kept in the manifest (never null)
 */
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
    String podSpecJson,
    Map<String, String> podLabels,
    Map<String, String> podAnnotations) {

  public CheckpointJobRequest {
    containers = List.copyOf(containers);
    podLabels = podLabels == null ? Map.of() : Map.copyOf(podLabels);
    podAnnotations = podAnnotations == null ? Map.of() : Map.copyOf(podAnnotations);
  }

  /** A container of the pod and its image. */
  public record ContainerRef(String name, String image) {}
}
