package dev.stasis.controller.restore;

import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StoredCheckpoint;

/**
 * The checkpoint a Restore brings back.
 *
 * @param checkpointName the Checkpoint resource, when there is one in the Restore's namespace
 */
record RestoreSource(String checkpointName, StoredCheckpoint manifest, StorageLocation location) {}
