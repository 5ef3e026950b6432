package dev.stasis.controller.agent;

import java.util.List;

/** What StartRestore needs (mirrors {@code stasis.agent.v1.StartRestoreRequest}). */
public record RestoreJobRequest(
    String jobId,
    String checkpointUri,
    StorageConfig storage,
    List<String> containers,
    String registry,
    String repository,
    boolean registryPlainHttp) {
  public RestoreJobRequest {
    containers = containers == null ? List.of() : List.copyOf(containers);
  }
}
