package dev.stasis.agent.jobs;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.stasis.agent.api.JobPhases;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.StorageConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the journal when the agent starts: finished jobs become queryable again; a job that was
 * unfinished when the agent stopped is cleaned up after and ends FAILED with reason AgentRestarted
 * (or SUCCEEDED, if its manifest was already stored), which is journalled.
 */
final class JournalRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

  private final Journal journal;
  private final JobManager.Cleaner cleaner;
  private final Clock clock;
  private final Duration retention;

  JournalRecovery(Journal journal, JobManager.Cleaner cleaner, Clock clock, Duration retention) {
    this.journal = journal;
    this.cleaner = cleaner;
    this.clock = clock;
    this.retention = retention;
  }

  /** The journal's jobs, after deleting entries older than the retention. */
  List<JobHandle> recover() {
    journal.prune(retention);
    List<JobHandle> jobs = new ArrayList<>();
    for (JournalEntry entry : journal.readAll()) {
      Job.Builder job = Job.newBuilder();
      try {
        JsonFormat.parser().ignoringUnknownFields().merge(entry.jobJson(), job);
      } catch (InvalidProtocolBufferException e) {
        LOG.warn("ignoring a journal entry whose job cannot be read: {}", e.getMessage());
        continue;
      }
      StorageConfig storage = storage(entry, job.getId());
      List<String> archives = entry.kubeletArchives() == null ? List.of() : entry.kubeletArchives();
      if (Jobs.terminal(job.getState())) {
        jobs.add(handle(job, storage, entry, archives));
      } else {
        endAfterRestart(job, entry, cleaner.clean(entry, storage));
        // The clean-up deleted the job's kubelet archives (or they are to be kept).
        JobHandle h = handle(job, storage, entry, List.of());
        jobs.add(h);
        h.writeJournal();
      }
    }
    return jobs;
  }

  private JobHandle handle(
      Job.Builder job, StorageConfig storage, JournalEntry entry, List<String> archives) {
    return new JobHandle(
        job, storage, entry.checkpointUri(), archives, entry.manifestWritten(), journal, clock);
  }

  private static StorageConfig storage(JournalEntry entry, String jobId) {
    StorageConfig.Builder storage = StorageConfig.newBuilder();
    if (entry.storageJson() != null) {
      try {
        JsonFormat.parser().ignoringUnknownFields().merge(entry.storageJson(), storage);
      } catch (InvalidProtocolBufferException e) {
        LOG.warn("journal entry {} has unreadable storage settings", jobId);
      }
    }
    return storage.build();
  }

  /** {@code problem}: what the clean-up could not remove, or null. */
  private void endAfterRestart(Job.Builder job, JournalEntry entry, String problem) {
    if (entry.manifestWritten()) {
      job.setState(JobState.JOB_STATE_SUCCEEDED)
          .setPhase(JobPhases.DONE)
          .setReason("")
          .setMessage(
              "the checkpoint was stored; the agent restarted before it finished tidying up");
    } else {
      job.setState(JobState.JOB_STATE_FAILED)
          .setReason(Reasons.AGENT_RESTARTED)
          .setMessage(
              "the agent restarted while this job was "
                  + (job.getPhase().isEmpty() ? "queued" : job.getPhase())
                  + "; what it had stored was removed"
                  + (problem != null ? " except: " + problem : "")
                  + ". Create a new "
                  + (job.getKind() == JobKind.JOB_KIND_RESTORE ? "Restore" : "Checkpoint")
                  + " to try again");
    }
    Instant now = clock.instant();
    job.setCompletionTime(Jobs.timestamp(now)).setUpdateTime(Jobs.timestamp(now));
    LOG.warn("job {} was unfinished when the agent stopped: now {}", job.getId(), job.getState());
  }
}
