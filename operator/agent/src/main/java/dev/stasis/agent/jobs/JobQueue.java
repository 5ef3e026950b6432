package dev.stasis.agent.jobs;

import dev.stasis.agent.DaemonThreads;
import dev.stasis.agent.JobFailure;
import dev.stasis.agent.api.Reasons;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.JobState;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs' work, at most {@code maxConcurrent} at once on this node (STASIS_MAX_CONCURRENT_JOBS);
 * the rest wait, QUEUED, in the order they came. Turns how the work ends (returns, throws {@link
 * JobFailure}, is interrupted or cancelled) into the job's final state, and counts jobs in the
 * agent's metrics.
 */
final class JobQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);

  private final ExecutorService executor;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final MeterRegistry meters;

  JobQueue(int maxConcurrent, MeterRegistry meters) {
    this.meters = meters;
    this.executor =
        new ThreadPoolExecutor(
            maxConcurrent,
            maxConcurrent,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            DaemonThreads.numbered("stasis-job"));
    meters.gauge("stasis_agent_jobs_running", running);
    meters.gauge("stasis_agent_jobs_queued", queued);
  }

  /** Queues a new job's work; it runs when a slot is free unless it is cancelled first. */
  void submit(JobHandle h, JobWork work) {
    queued.incrementAndGet();
    meters.counter("stasis_agent_jobs_started_total", "kind", Jobs.kindName(h.kind())).increment();
    LOG.info("job {} ({}) queued", h.id(), Jobs.kindName(h.kind()));
    executor.submit(() -> execute(h, work));
  }

  /**
   * Cancels a queued or running job and waits (up to {@code wait}) for it to stop; a finished job
   * is left as it is.
   */
  void cancel(JobHandle h, Duration wait) throws InterruptedException {
    Thread t =
        h.requestCancel(
            () -> {
              // Still in the executor's queue: execute() will skip it.
              queued.decrementAndGet();
              finish(h, JobState.JOB_STATE_CANCELLED, Reasons.CANCELLED, "cancelled while queued");
            });
    if (t != null) {
      LOG.info("cancelling job {}", h.id());
      t.interrupt();
    }
    h.awaitTerminal(wait);
  }

  /** What a job that succeeded moved: stored bytes uploaded, or archive bytes restored. */
  private void countBytes(JobKind kind, Job job) {
    if (kind == JobKind.JOB_KIND_CHECKPOINT) {
      meters.counter("stasis_agent_uploaded_bytes_total").increment(job.getStoredBytes());
    } else {
      meters.counter("stasis_agent_restored_bytes_total").increment(job.getBytesDone());
    }
  }

  int runningCount() {
    return running.get();
  }

  int queuedCount() {
    return queued.get();
  }

  private void execute(JobHandle h, JobWork work) {
    boolean began =
        h.begin(
            () -> {
              queued.decrementAndGet();
              running.incrementAndGet();
            });
    if (!began) {
      return;
    }
    LOG.info("job {} running", h.id());
    try {
      work.run(h);
      // Work that returned did all it had to (a checkpoint's manifest is written): a cancel that
      // came meanwhile was too late, and CANCELLED would hide a whole checkpoint in storage.
      finish(h, JobState.JOB_STATE_SUCCEEDED, "", "");
    } catch (JobFailure f) {
      if (h.cancelled()) {
        finish(h, JobState.JOB_STATE_CANCELLED, Reasons.CANCELLED, "cancelled");
      } else {
        finish(h, JobState.JOB_STATE_FAILED, f.reason(), f.getMessage());
      }
    } catch (InterruptedException e) {
      boolean cancelled = h.cancelled();
      finish(
          h,
          cancelled ? JobState.JOB_STATE_CANCELLED : JobState.JOB_STATE_FAILED,
          cancelled ? Reasons.CANCELLED : Reasons.INTERNAL,
          cancelled ? "cancelled" : "interrupted (the agent is stopping)");
    } catch (RuntimeException | Error e) {
      LOG.error("job {} failed unexpectedly", h.id(), e);
      finish(h, JobState.JOB_STATE_FAILED, Reasons.INTERNAL, "unexpected error in the agent: " + e);
    } finally {
      Thread.interrupted();
      h.leaveThread();
      running.decrementAndGet();
    }
  }

  private void finish(JobHandle h, JobState state, String reason, String message) {
    h.settle(state, reason, message);
    if (state == JobState.JOB_STATE_SUCCEEDED) {
      countBytes(h.kind(), h.snapshot());
    }
    meters
        .counter(
            "stasis_agent_jobs_finished_total",
            "kind",
            Jobs.kindName(h.kind()),
            "state",
            state.name().substring("JOB_STATE_".length()).toLowerCase(),
            "reason",
            reason == null || reason.isEmpty() ? "none" : reason)
        .increment();
    if (state == JobState.JOB_STATE_SUCCEEDED) {
      LOG.info("job {} succeeded", h.id());
    } else {
      LOG.warn("job {} {}: {} {}", h.id(), state, reason, message);
    }
    h.publish();
  }

  /** Interrupts the running work and drops what waits, at once (a crash, or the agent stopping). */
  void stopNow() {
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
}
