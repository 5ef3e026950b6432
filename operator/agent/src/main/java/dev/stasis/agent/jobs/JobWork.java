package dev.stasis.agent.jobs;

import dev.stasis.agent.JobFailure;

/**
 * The body of a job. Throwing {@link JobFailure} fails it with that reason; the work undoes what it
 * left (partial objects) before it throws or returns after a cancellation.
 */
@FunctionalInterface
public interface JobWork {
  void run(JobContext ctx) throws JobFailure, InterruptedException;
}
