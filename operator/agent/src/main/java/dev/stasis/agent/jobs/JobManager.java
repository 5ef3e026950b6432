package dev.stasis.agent.jobs;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.stasis.agent.JobFailure;
import dev.stasis.agent.api.JobPhases;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.v1.ContainerResult;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.PushedImage;
import dev.stasis.agent.v1.StorageConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs, at most {@code maxConcurrent} at once on this node (the rest wait, QUEUED), keyed by
 * the CR's UID so that a repeated start returns the existing job. Publishes every change to
 * watchers and to the journal; after a restart, jobs the journal shows unfinished are reported
 * FAILED with reason AgentRestarted and what they left is cleaned up.
 */
public class JobManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobManager.class);
  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** Cleans up after a job the agent lost by restarting. Returns a problem sentence or null. */
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
  private final Cleaner cleaner;
  private final Clock clock;
  private final Duration retention;
  private final ExecutorService executor;
  private final Map<String, Handle> jobs = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final MeterRegistry meters;
  private volatile boolean abandoned;

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
    this.cleaner = cleaner;
    this.clock = clock;
    this.retention = retention;
    this.meters = meters != null ? meters : new SimpleMeterRegistry();
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            maxConcurrent,
            maxConcurrent,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "stasis-job-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.meters.gauge("stasis_agent_jobs_running", running);
    this.meters.gauge("stasis_agent_jobs_queued", queued);
  }

  /**
   * Reads the journal: finished jobs become queryable again; unfinished ones are failed with
   * AgentRestarted (or, if their manifest was written, reported SUCCEEDED) and cleaned up.
   */
  public void recover() {
    journal.prune(retention);
    for (JournalEntry entry : journal.readAll()) {
      Job.Builder job = Job.newBuilder();
      try {
        JsonFormat.parser().ignoringUnknownFields().merge(entry.jobJson(), job);
      } catch (InvalidProtocolBufferException e) {
        LOG.warn("ignoring a journal entry whose job cannot be read: {}", e.getMessage());
        continue;
      }
      StorageConfig.Builder storage = StorageConfig.newBuilder();
      if (entry.storageJson() != null) {
        try {
          JsonFormat.parser().ignoringUnknownFields().merge(entry.storageJson(), storage);
        } catch (InvalidProtocolBufferException e) {
          LOG.warn("journal entry {} has unreadable storage settings", job.getId());
        }
      }
      Handle h = new Handle(job.getId(), job.getKind(), storage.build());
      h.checkpointUri = entry.checkpointUri();
      h.archives.addAll(entry.kubeletArchives() == null ? List.of() : entry.kubeletArchives());
      h.manifestWritten = entry.manifestWritten();
      h.job = job;
      if (!terminal(job.getState())) {
        String problem = cleaner.clean(entry, storage.build());
        Instant now = clock.instant();
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
        job.setCompletionTime(ts(now)).setUpdateTime(ts(now));
        h.archives.clear();
        LOG.warn(
            "job {} was unfinished when the agent stopped: now {}", job.getId(), job.getState());
        jobs.put(h.id, h);
        journalWrite(h);
      } else {
        jobs.put(h.id, h);
      }
    }
  }

  /**
   * Starts a job, or returns the existing one with this id. {@code storage} is journalled without
   * its credentials.
   */
  public Job start(String id, JobKind kind, StorageConfig storage, JobWork work)
      throws KindMismatchException {
    pruneFinished();
    Handle fresh =
        new Handle(id, kind, storage == null ? StorageConfig.getDefaultInstance() : storage);
    Handle existing = jobs.putIfAbsent(id, fresh);
    if (existing != null) {
      if (existing.kind != kind) {
        throw new KindMismatchException(
            "job "
                + id
                + " exists as a "
                + kindName(existing.kind)
                + " job, not "
                + kindName(kind));
      }
      return existing.snapshot();
    }
    Instant now = clock.instant();
    synchronized (fresh) {
      fresh.job =
          Job.newBuilder()
              .setId(id)
              .setKind(kind)
              .setState(JobState.JOB_STATE_QUEUED)
              .setPhase(JobPhases.QUEUED)
              .setNodeName(nodeName)
              .setCreateTime(ts(now))
              .setUpdateTime(ts(now));
    }
    queued.incrementAndGet();
    journalWrite(fresh);
    meters.counter("stasis_agent_jobs_started_total", "kind", kindName(kind)).increment();
    LOG.info("job {} ({}) queued", id, kindName(kind));
    fresh.future = executor.submit(() -> execute(fresh, work));
    return fresh.snapshot();
  }

  public Optional<Job> get(String id) {
    Handle h = jobs.get(id);
    return h == null ? Optional.empty() : Optional.of(h.snapshot());
  }

  /**
   * Cancels a queued or running job and waits (up to {@code wait}) for it to stop; a finished job
   * is returned unchanged.
   */
  public Optional<Job> cancel(String id, Duration wait) throws InterruptedException {
    Handle h = jobs.get(id);
    if (h == null) {
      return Optional.empty();
    }
    Thread t;
    synchronized (h) {
      if (terminal(h.job.getState())) {
        return Optional.of(h.snapshot());
      }
      h.cancelRequested = true;
      t = h.thread;
      if (!h.started) {
        // Still in the queue: the executor will skip it.
        queued.decrementAndGet();
        h.finished = true;
        finish(h, JobState.JOB_STATE_CANCELLED, Reasons.CANCELLED, "cancelled while queued");
        return Optional.of(h.snapshot());
      }
    }
    LOG.info("cancelling job {}", id);
    if (t != null) {
      t.interrupt();
    }
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (h) {
      while (!terminal(h.job.getState()) && System.nanoTime() < deadline) {
        h.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    }
    return Optional.of(h.snapshot());
  }

  /**
   * Calls {@code listener} with the job as it stands and then with every change, until the job is
   * finished (the last call has a terminal state) or the returned handle is run. Listeners must be
   * quick. Empty if there is no such job.
   */
  public Optional<Runnable> watch(String id, Consumer<Job> listener) {
    Handle h = jobs.get(id);
    if (h == null) {
      return Optional.empty();
    }
    Job current;
    synchronized (h) {
      h.listeners.add(listener);
      current = h.snapshot();
    }
    listener.accept(current);
    if (terminal(current.getState())) {
      h.listeners.remove(listener);
    }
    return Optional.of(() -> h.listeners.remove(listener));
  }

  public int runningCount() {
    return running.get();
  }

  public int queuedCount() {
    return queued.get();
  }

  public List<Job> all() {
    List<Job> out = new ArrayList<>();
    for (Handle h : jobs.values()) {
      out.add(h.snapshot());
    }
    return out;
  }

  private void execute(Handle h, JobWork work) {
    synchronized (h) {
      if (h.finished) {
        return;
      }
      h.started = true;
      h.thread = Thread.currentThread();
      queued.decrementAndGet();
      running.incrementAndGet();
      Instant now = clock.instant();
      h.job.setState(JobState.JOB_STATE_RUNNING).setStartTime(ts(now)).setUpdateTime(ts(now));
    }
    publish(h, true);
    LOG.info("job {} running", h.id);
    try {
      work.run(h);
      if (h.cancelRequested) {
        finish(h, JobState.JOB_STATE_CANCELLED, Reasons.CANCELLED, "cancelled");
      } else {
        synchronized (h) {
          h.job.setPhase(JobPhases.DONE);
        }
        finish(h, JobState.JOB_STATE_SUCCEEDED, "", "");
      }
    } catch (JobFailure f) {
      if (h.cancelRequested) {
        finish(h, JobState.JOB_STATE_CANCELLED, Reasons.CANCELLED, "cancelled");
      } else {
        finish(h, JobState.JOB_STATE_FAILED, f.reason(), f.getMessage());
      }
    } catch (InterruptedException e) {
      finish(
          h,
          h.cancelRequested ? JobState.JOB_STATE_CANCELLED : JobState.JOB_STATE_FAILED,
          h.cancelRequested ? Reasons.CANCELLED : Reasons.INTERNAL,
          h.cancelRequested ? "cancelled" : "interrupted (the agent is stopping)");
    } catch (RuntimeException | Error e) {
      LOG.error("job {} failed unexpectedly", h.id, e);
      finish(h, JobState.JOB_STATE_FAILED, Reasons.INTERNAL, "unexpected error in the agent: " + e);
    } finally {
      Thread.interrupted();
      synchronized (h) {
        h.thread = null;
      }
      running.decrementAndGet();
    }
  }

  private void finish(Handle h, JobState state, String reason, String message) {
    synchronized (h) {
      Instant now = clock.instant();
      h.job
          .setState(state)
          .setReason(reason == null ? "" : reason)
          .setMessage(message == null ? "" : message)
          .setCompletionTime(ts(now))
          .setUpdateTime(ts(now));
      h.finished = true;
      h.finishedAt = now;
      h.notifyAll();
    }
    meters
        .counter(
            "stasis_agent_jobs_finished_total",
            "kind",
            kindName(h.kind),
            "state",
            state.name().substring("JOB_STATE_".length()).toLowerCase(),
            "reason",
            reason == null || reason.isEmpty() ? "none" : reason)
        .increment();
    if (state == JobState.JOB_STATE_SUCCEEDED) {
      LOG.info("job {} succeeded", h.id);
    } else {
      LOG.warn("job {} {}: {} {}", h.id, state, reason, message);
    }
    publish(h, true);
  }

  private void publish(Handle h, boolean durable) {
    Job snapshot;
    synchronized (h) {
      h.job.setUpdateTime(ts(clock.instant()));
      snapshot = h.job.build();
    }
    if (durable) {
      journalWrite(h);
    }
    for (Consumer<Job> l : h.listeners) {
      try {
        l.accept(snapshot);
      } catch (RuntimeException e) {
        h.listeners.remove(l);
      }
    }
    if (terminal(snapshot.getState())) {
      h.listeners.clear();
    }
  }

  private void journalWrite(Handle h) {
    if (abandoned) {
      return;
    }
    JournalEntry entry;
    synchronized (h) {
      try {
        entry =
            new JournalEntry(
                JsonFormat.printer().print(h.job),
                JsonFormat.printer().print(h.storageWithoutCredentials),
                h.checkpointUri,
                List.copyOf(h.archives),
                h.manifestWritten);
      } catch (InvalidProtocolBufferException e) {
        LOG.error("cannot serialise job {}: {}", h.id, e.toString());
        return;
      }
    }
    journal.write(h.id, entry);
  }

  private void pruneFinished() {
    Instant cutoff = clock.instant().minus(retention);
    jobs.values()
        .removeIf(
            h -> {
              synchronized (h) {
                return h.finishedAt != null && h.finishedAt.isBefore(cutoff);
              }
            });
  }

  static boolean terminal(JobState s) {
    return s == JobState.JOB_STATE_SUCCEEDED
        || s == JobState.JOB_STATE_FAILED
        || s == JobState.JOB_STATE_CANCELLED;
  }

  static String kindName(JobKind k) {
    return k == JobKind.JOB_KIND_RESTORE ? "restore" : "checkpoint";
  }

  static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  /** Removes credential values, keeping the key names. */
  static StorageConfig withoutCredentials(StorageConfig s) {
    StorageConfig.Builder b = s.toBuilder().clearCredentials().clearMembers();
    for (StorageConfig m : s.getMembersList()) {
      b.addMembers(withoutCredentials(m));
    }
    return b.build();
  }

  /**
   * Stops as a crash would: the journal is no longer written and running jobs are interrupted, so
   * their entries stay as they were (tests of the restart path).
   */
  public void abandon() {
    abandoned = true;
    executor.shutdownNow();
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Handle implements JobContext {
    final String id;
    final JobKind kind;
    final StorageConfig storageWithoutCredentials;
    final Set<Consumer<Job>> listeners = new CopyOnWriteArraySet<>();
    final List<String> archives = new ArrayList<>();
    Job.Builder job;
    volatile boolean cancelRequested;
    boolean started;
    boolean finished;
    Instant finishedAt;
    Thread thread;
    java.util.concurrent.Future<?> future;
    String checkpointUri;
    boolean manifestWritten;
    long lastProgressNanos;

    Handle(String id, JobKind kind, StorageConfig storage) {
      this.id = id;
      this.kind = kind;
      this.storageWithoutCredentials = withoutCredentials(storage);
    }

    synchronized Job snapshot() {
      return job.build();
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
      publish(this, true);
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
        publish(this, false);
      }
    }

    @Override
    public void addContainer(ContainerResult result) {
      synchronized (this) {
        job.addContainers(result);
      }
      publish(this, true);
    }

    @Override
    public void addImage(PushedImage image) {
      synchronized (this) {
        job.addImages(image);
      }
      publish(this, true);
    }

    @Override
    public void checkpointUri(String uri) {
      synchronized (this) {
        checkpointUri = uri;
        job.setCheckpointUri(uri);
      }
      publish(this, true);
    }

    @Override
    public void kubeletArchive(Path archive) {
      synchronized (this) {
        archives.add(archive.toString());
      }
      journalWrite(this);
    }

    @Override
    public void kubeletArchiveRemoved(Path archive) {
      synchronized (this) {
        archives.remove(archive.toString());
      }
      journalWrite(this);
    }

    @Override
    public void storedBytes(long bytes) {
      synchronized (this) {
        job.setStoredBytes(bytes);
      }
    }

    @Override
    public void manifestWritten() {
      synchronized (this) {
        manifestWritten = true;
      }
      journalWrite(this);
    }

    @Override
    public boolean cancelled() {
      return cancelRequested;
    }
  }
}
