package dev.stasis.controller.storage;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint found in storage, from its manifest.
 *
 * @param podLabels the checkpointed pod's labels (manifest {@code podMetadata.labels}); empty when
 *     the manifest does not keep them (written by an older agent)
 * @param podAnnotations the checkpointed pod's annotations (manifest {@code
 *     podMetadata.annotations}); empty likewise
 */
public record StoredCheckpoint(
    String uri,
    String namespace,
    String podName,
    String podUid,
    String checkpointName,
    String checkpointUid,
    String nodeName,
    Instant createdAt,
    String podSpecJson,
    Map<String, String> podLabels,
    Map<String, String> podAnnotations,
    List<StoredContainer> containers) {

  public StoredCheckpoint {
    podLabels = podLabels == null ? Map.of() : Map.copyOf(podLabels);
    podAnnotations = podAnnotations == null ? Map.of() : Map.copyOf(podAnnotations);
    containers = containers == null ? List.of() : List.copyOf(containers);
  }

  public long storedBytes() {
    return containers.stream().mapToLong(StoredContainer::storedBytes).sum();
  }

  /** One container's archive. */
  public record StoredContainer(
      String name,
      String image,
      String objectUri,
      String compression,
      long archiveBytes,
      long storedBytes,
      String sha256)
      implements dev.stasis.controller.util.StoredArchive {}
}
