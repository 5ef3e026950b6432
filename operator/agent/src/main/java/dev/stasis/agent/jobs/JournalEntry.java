package dev.stasis.agent.jobs;

import java.util.List;

/**
 * What the journal keeps of a job, enough to report it and to clean up after a restart. Never holds
 * credentials: {@code storageJson} is the StorageConfig with its credentials removed.
 *
 * @param jobJson the Job message (protobuf JSON)
 * @param storageJson the StorageConfig without credentials (protobuf JSON), or null
 * @param checkpointUri the checkpoint directory being written, or null
 * @param kubeletArchives kubelet archives the job created and has not deleted yet
 * @param manifestWritten whether the checkpoint's manifest was stored
 */
public record JournalEntry(
    String jobJson,
    String storageJson,
    String checkpointUri,
    List<String> kubeletArchives,
    boolean manifestWritten) {}
