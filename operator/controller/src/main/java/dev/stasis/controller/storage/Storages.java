package dev.stasis.controller.storage;

import dev.stasis.api.v1alpha1.CheckpointStorage;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * The checkpoint storages: the CheckpointStorage resources, where they are with which credentials
 * ({@link StorageResolver}), and the checkpoints in them ({@link CheckpointCatalog}).
 */
public record Storages(
    KubernetesClient client, StorageResolver resolver, CheckpointCatalog catalog) {
  /** Every CheckpointStorage of the cluster. */
  public List<CheckpointStorage> all() {
    return client.resources(CheckpointStorage.class).list().getItems();
  }

  /** The CheckpointStorage of this name; null when there is none. */
  public CheckpointStorage named(String name) {
    return client.resources(CheckpointStorage.class).withName(name).get();
  }
}
