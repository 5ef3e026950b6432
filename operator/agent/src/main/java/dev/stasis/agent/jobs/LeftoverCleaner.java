package dev.stasis.agent.jobs;

import dev.stasis.agent.store.CheckpointStore;
import dev.stasis.agent.v1.StorageConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * After a restart, deletes what a job the agent lost left behind: the partial objects of a
 * checkpoint whose manifest was never written, and its kubelet archives (unless they are kept).
 */
public final class LeftoverCleaner implements JobManager.Cleaner {
  private final CheckpointStore store;
  private final boolean keepKubeletArchives;

  public LeftoverCleaner(CheckpointStore store, boolean keepKubeletArchives) {
    this.store = store;
    this.keepKubeletArchives = keepKubeletArchives;
  }

  @Override
  public String clean(JournalEntry entry, StorageConfig storage) {
    List<String> problems = new ArrayList<>();
    boolean restore = entry.jobJson().contains("JOB_KIND_RESTORE");
    if (!restore && entry.checkpointUri() != null && !entry.manifestWritten()) {
      try {
        store.deleteAll(URI.create(entry.checkpointUri()), storage);
      } catch (IOException | RuntimeException e) {
        problems.add(
            "partial objects under "
                + entry.checkpointUri()
                + " could not be deleted ("
                + e.getMessage()
                + "); remove them with 'stasis rm'");
      }
    }
    if (entry.kubeletArchives() != null && !keepKubeletArchives) {
      for (String a : entry.kubeletArchives()) {
        try {
          Files.deleteIfExists(Path.of(a));
        } catch (IOException e) {
          problems.add("kubelet archive " + a + " could not be deleted");
        }
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }
}
