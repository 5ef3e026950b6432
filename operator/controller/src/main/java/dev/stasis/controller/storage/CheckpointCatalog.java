package dev.stasis.controller.storage;

import java.util.List;
import java.util.Optional;

/**
 * What the operator needs from the storage engine: the checkpoints under a storage's root (those
 * with a manifest), one checkpoint's manifest, deleting one, and a reachability probe.
 */
public interface CheckpointCatalog {
  /** The checkpoints of a namespace under the location's root, newest first. */
  List<StoredCheckpoint> list(StorageLocation location, String namespace) throws CatalogException;

  /** The checkpoint at a directory URI, if its manifest exists. */
  Optional<StoredCheckpoint> read(StorageLocation location, String checkpointUri)
      throws CatalogException;

  /** Deletes a checkpoint's archives and manifest; deleting a missing one is not an error. */
  void delete(StorageLocation location, String checkpointUri) throws CatalogException;

  /** Checks that the storage is configured and reachable with its credentials. */
  void probe(StorageLocation location) throws CatalogException;
}
