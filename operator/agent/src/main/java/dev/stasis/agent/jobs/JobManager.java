package dev.stasis.agent.jobs;

import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.StorageConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * This node's jobs, keyed by the CR's UID so that a repeated start returns the existing job: what
 * the gRPC service starts, queries, cancels and watches. The {@link JobQueue} runs them (at most
 * {@code maxConcurrent} at once), each {@link JobHandle} publishes its changes to watchers and to
 * the {@link Journal}, and {@link JournalRecovery} reads that back after a restart. Finished jobs
 * are forgotten after the retention.
 */
public class JobManager implements AutoCloseable {
  /**
   * Cleans up after a job the agent lost by restarting ({@link LeftoverCleaner}). Returns a problem
   * sentence or null.
   */
  @FunctionalInterface
  public interface Cleaner {
    String clean(JournalEntry entry, StorageConfig storageWithoutCredentials);
  }

  /** A start with an id that exists with the other kind. */
  public static class KindMismatchException extends Exception {
    public KindMismatchException(String message) {
      super(message);
    }
  }

  private final String nodeName;
  private final Journal journal;
  private final Clock clock;
  private final Duration retention;
  private final JobQueue queue;
  private final JournalRecovery recovery;
  private final Map<String, JobHandle> jobs = new ConcurrentHashMap<>();

  public JobManager(
      String nodeName,
      int maxConcurrent,
      Journal journal,
      Cleaner cleaner,
      MeterRegistry meters,
      Clock clock,
      Duration retention) {
    this.nodeName = nodeName;
    this.journal = journal;
    this.clock = clock;
    this.retention = retention;
    this.queue = new JobQueue(maxConcurrent, meters != null ? meters : new SimpleMeterRegistry());
    this.recovery = new JournalRecovery(journal, cleaner, clock, retention);
  }

  /**
   * Reads the journal: finished jobs become queryable again; unfinished ones are failed with
   * AgentRestarted (or, if their manifest was written, reported SUCCEEDED) and cleaned up.
   */
  public void recover() {
    for (JobHandle h : recovery.recover()) {
      jobs.put(h.id(), h);
    }
  }

  /**
   * Starts a job, or returns the existing one with this id. {@code storage} is journalled without
   * its credentials.
   */
  public Job start(String id, JobKind kind, StorageConfig storage, JobWork work)
      throws KindMismatchException {
    pruneFinished();
    JobHandle fresh = JobHandle.queued(id, kind, storage, nodeName, journal, clock);
    JobHandle existing = jobs.putIfAbsent(id, fresh);
    if (existing != null) {
      if (existing.kind() != kind) {
        throw new KindMismatchException(
            "job "
                + id
                + " exists as a "
                + Jobs.kindName(existing.kind())
                + " job, not "
                + Jobs.kindName(kind));
      }
      return existing.snapshot();
    }
    fresh.writeJournal();
    queue.submit(fresh, work);
    return fresh.snapshot();
  }

  public Optional<Job> get(String id) {
    return Optional.ofNullable(jobs.get(id)).map(JobHandle::snapshot);
  }

  /**
   * Cancels a queued or running job and waits (up to {@code wait}) for it to stop; a finished job
   * is returned unchanged.
   */
  public Optional<Job> cancel(String id, Duration wait) throws InterruptedException {
    JobHandle h = jobs.get(id);
    if (h == null) {
      return Optional.empty();
    }
    queue.cancel(h, wait);
    return Optional.of(h.snapshot());
  }

  /**
   * Calls {@code listener} with the job as it stands and then with every change, until the job is
   * finished (the last call has a terminal state) or the returned handle is run. Listeners must be
   * quick. Empty if there is no such job.
   */
  public Optional<Runnable> watch(String id, Consumer<Job> listener) {
    return Optional.ofNullable(jobs.get(id)).map(h -> h.watch(listener));
  }

  public int runningCount() {
    return queue.runningCount();
  }

  public int queuedCount() {
    return queue.queuedCount();
  }

  public List<Job> all() {
    List<Job> out = new ArrayList<>();
    for (JobHandle h : jobs.values()) {
      out.add(h.snapshot());
    }
    return out;
  }

  private void pruneFinished() {
    Instant cutoff = clock.instant().minus(retention);
    jobs.values().removeIf(h -> h.finishedBefore(cutoff));
  }

  /**
   * Stops as a crash would: the journal is no longer written and running jobs are interrupted, so
   * their entries stay as they were (tests of the restart path).
   */
  public void abandon() {
    journal.abandon();
    queue.stopNow();
  }

  @Override
  public void close() {
    queue.close();
  }
}
