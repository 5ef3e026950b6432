package dev.stasis.controller.storage;

import dev.stasis.controller.agent.StorageConfig;

/**
 * A storage resolved for use: its root URI (checkpoints live under {@code
 * <root>/<namespace>/<pod>/<checkpoint>-<uid8>/}) and the configuration with credentials.
 *
 * @param name the CheckpointStorage's name, or empty for a bare {@code dir} / path URI
 */
public record StorageLocation(String name, String rootUri, StorageConfig config) {
  public static StorageLocation bare(String uri) {
    return new StorageLocation("", uri, StorageConfig.none());
  }

  public String scheme() {
    int i = rootUri.indexOf("://");
    return i < 0 ? "" : rootUri.substring(0, i);
  }
}
