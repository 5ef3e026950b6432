package dev.stasis.controller.agent;

import java.util.List;
import java.util.Map;

/**
 * Everything an agent needs to reach a storage (mirrors {@code stasis.agent.v1.StorageConfig}): the
 * CheckpointStorage's name and spec as JSON, the Secret's data, and for a replicated storage its
 * members.
 */
public record StorageConfig(
    String name, String specJson, Map<String, byte[]> credentials, List<StorageConfig> members) {
  public StorageConfig {
    name = name == null ? "" : name;
    specJson = specJson == null ? "" : specJson;
    credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
    members = members == null ? List.of() : List.copyOf(members);
  }

  /** A bare URI: the agent's ambient configuration and credentials. */
  public static StorageConfig none() {
    return new StorageConfig("", "", Map.of(), List.of());
  }

  @Override
  public String toString() {
    // Never print credential values.
    return "StorageConfig[name=" + name + ", credentials=" + credentials.keySet() + "]";
  }
}
