package dev.stasis.agent.jobs;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.stasis.agent.api.JobPhases;
import dev.stasis.agent.v1.ContainerResult;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.PushedImage;
import dev.stasis.agent.v1.StorageConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job: its {@code Job} message as it stands, what the journal keeps of it, and where it is in
 * its life (queued, running on a thread, over). It is the {@link JobContext} its work reports to;
 * every change is published to its watchers and, where a restart needs it, journalled.
 *
 * <p>Its monitor guards all of this. The hooks {@link JobQueue} passes to {@link #begin} and {@link
 * #requestCancel} run under it, so that the queue's counts agree with what the job says it is.
 */
final class JobHandle implements JobContext {
  private static final Logger LOG = LoggerFactory.getLogger(JobHandle.class);
  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final String id;
  private final JobKind kind;
  private final StorageConfig storageWithoutCredentials;
  private final Journal journal;
  private final Clock clock;
  private final JobWatchers watchers = new JobWatchers();
  private final Job.Builder job;
  private final List<String> archives;
  private String checkpointUri;
  private boolean manifestWritten;
  private String note;
  private volatile boolean cancelRequested;
  private boolean started;
  private boolean finished;
  private Instant finishedAt;
  private Thread thread;
  private long lastProgressNanos;

  /** A job as the journal kept it (no work runs for it), or, through {@link #queued}, a new one. */
  JobHandle(
      Job.Builder job,
      StorageConfig storage,
      String checkpointUri,
      List<String> archives,
      boolean manifestWritten,
      Journal journal,
      Clock clock) {
    this.id = job.getId();
    this.kind = job.getKind();
    this.job = job;
    this.storageWithoutCredentials = withoutCredentials(storage);
    this.checkpointUri = checkpointUri;
    this.archives = new ArrayList<>(archives);
    this.manifestWritten = manifestWritten;
    this.journal = journal;
    this.clock = clock;
  }

  /** A new job, QUEUED on {@code nodeName}. {@code storage} is kept without its credentials. */
  static JobHandle queued(
      String id,
      JobKind kind,
      StorageConfig storage,
      String nodeName,
      Journal journal,
      Clock clock) {
    Instant now = clock.instant();
    Job.Builder job =
        Job.newBuilder()
            .setId(id)
            .setKind(kind)
            .setState(JobState.JOB_STATE_QUEUED)
            .setPhase(JobPhases.QUEUED)
            .setNodeName(nodeName)
            .setCreateTime(Jobs.timestamp(now))
            .setUpdateTime(Jobs.timestamp(now));
    return new JobHandle(
        job,
        storage == null ? StorageConfig.getDefaultInstance() : storage,
        null,
        List.of(),
        false,
        journal,
        clock);
  }

  String id() {
    return id;
  }

  JobKind kind() {
    return kind;
  }

  synchronized Job snapshot() {
    return job.build();
  }

  /**
   * Marks the job running on the current thread and publishes that; false, and nothing done, if it
   * was cancelled while queued. {@code onStart} runs first, under this handle's lock.
   */
  boolean begin(Runnable onStart) {
    synchronized (this) {
      if (finished) {
        return false;
      }
      started = true;
      thread = Thread.currentThread();
      onStart.run();
      Instant now = clock.instant();
      job.setState(JobState.JOB_STATE_RUNNING)
          .setStartTime(Jobs.timestamp(now))
          .setUpdateTime(Jobs.timestamp(now));
    }
    publish(true);
    return true;
  }

  /** The work is over: a cancel no longer interrupts this thread. */
  synchronized void leaveThread() {
    thread = null;
  }

  /**
   * Asks the job to stop. A job still queued is ended by {@code whileQueued}, under this handle's
   * lock so that the queue cannot start it meanwhile. Returns the thread running the job, to be
   * interrupted, or null when none does (the job is over or was still queued).
   */
  synchronized Thread requestCancel(Runnable whileQueued) {
    if (Jobs.terminal(job.getState())) {
      return null;
    }
    cancelRequested = true;
    if (!started) {
      finished = true;
      whileQueued.run();
      return null;
    }
    return thread;
  }

  /** Waits up to {@code wait} for the job to be over. */
  synchronized void awaitTerminal(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!Jobs.terminal(job.getState()) && System.nanoTime() < deadline) {
      wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
  }

  /**
   * Records how the job ended (a success in phase Done) and wakes those waiting for it. The caller
   * then {@link #publish()}es it.
   */
  synchronized void settle(JobState state, String reason, String message) {
    if (state == JobState.JOB_STATE_SUCCEEDED) {
      job.setPhase(JobPhases.DONE);
    }
    Instant now = clock.instant();
    job.setState(state)
        .setReason(reason == null ? "" : reason)
        .setMessage(
            state == JobState.JOB_STATE_SUCCEEDED && note != null
                ? note
                : message == null ? "" : message)
        .setCompletionTime(Jobs.timestamp(now))
        .setUpdateTime(Jobs.timestamp(now));
    finished = true;
    finishedAt = now;
    notifyAll();
  }

  /** Whether the job ended in this agent before {@code cutoff}. */
  synchronized boolean finishedBefore(Instant cutoff) {
    return finishedAt != null && finishedAt.isBefore(cutoff);
  }

  /**
   * Calls {@code listener} with the job as it stands and then with every change until the job is
   * over (the last call has a terminal state). Returns what stops the calls sooner.
   */
  Runnable watch(Consumer<Job> listener) {
    Job current;
    synchronized (this) {
      watchers.add(listener);
      current = job.build();
    }
    listener.accept(current);
    if (Jobs.terminal(current.getState())) {
      watchers.remove(listener);
    }
    return () -> watchers.remove(listener);
  }

  /** Publishes the job as it stands to its watchers and the journal. */
  void publish() {
    publish(true);
  }

  private void publish(boolean durable) {
    Job snapshot;
    synchronized (this) {
      job.setUpdateTime(Jobs.timestamp(clock.instant()));
      snapshot = job.build();
    }
    if (durable) {
      writeJournal();
    }
    watchers.publish(snapshot);
  }

  /** Writes what the journal keeps of this job (not its watchers' business). */
  void writeJournal() {
    JournalEntry entry;
    synchronized (this) {
      try {
        entry =
            new JournalEntry(
                JsonFormat.printer().print(job),
                JsonFormat.printer().print(storageWithoutCredentials),
                checkpointUri,
                List.copyOf(archives),
                manifestWritten);
      } catch (InvalidProtocolBufferException e) {
        LOG.error("cannot serialise job {}: {}", id, e.toString());
        return;
      }
    }
    journal.write(id, entry);
  }

  /** Removes credential values, keeping the key names. */
  private static StorageConfig withoutCredentials(StorageConfig s) {
    StorageConfig.Builder b = s.toBuilder().clearCredentials().clearMembers();
    for (StorageConfig m : s.getMembersList()) {
      b.addMembers(withoutCredentials(m));
    }
    return b.build();
  }

  @Override
  public String jobId() {
    return id;
  }

  @Override
  public void phase(String phase) {
    synchronized (this) {
      job.setPhase(phase);
    }
    publish(true);
  }

  @Override
  public void progress(long bytesDone, long bytesTotal) {
    boolean due;
    synchronized (this) {
      job.setBytesDone(bytesDone).setBytesTotal(Math.max(0, bytesTotal));
      long now = System.nanoTime();
      due = now - lastProgressNanos >= PROGRESS_INTERVAL_NANOS || bytesDone == bytesTotal;
      if (due) {
        lastProgressNanos = now;
      }
    }
    if (due) {
      publish(false);
    }
  }

  @Override
  public void addContainer(ContainerResult result) {
    synchronized (this) {
      job.addContainers(result);
    }
    publish(true);
  }

  @Override
  public void addImage(PushedImage image) {
    synchronized (this) {
      job.addImages(image);
    }
    publish(true);
  }

  @Override
  public void checkpointUri(String uri) {
    synchronized (this) {
      checkpointUri = uri;
      job.setCheckpointUri(uri);
    }
    publish(true);
  }

  @Override
  public void kubeletArchive(Path archive) {
    synchronized (this) {
      archives.add(archive.toString());
    }
    writeJournal();
  }

  @Override
  public void kubeletArchiveRemoved(Path archive) {
    synchronized (this) {
      archives.remove(archive.toString());
    }
    writeJournal();
  }

  @Override
  public void storedBytes(long bytes) {
    synchronized (this) {
      job.setStoredBytes(bytes);
    }
  }

  @Override
  public void note(String message) {
    synchronized (this) {
      note = message;
    }
  }

  @Override
  public void manifestWritten() {
    synchronized (this) {
      manifestWritten = true;
    }
    writeJournal();
  }

  @Override
  public boolean cancelled() {
    return cancelRequested;
  }
}
