package dev.stasis.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.agent.jobs.JobManager;
import dev.stasis.agent.jobs.Journal;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.StorageConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancel that comes after the work finished (for a checkpoint: after the manifest was written) is
 * too late: the job is what its work did, SUCCEEDED, never CANCELLED with a whole checkpoint in
 * storage. A cancel in time still cancels.
 */
class LateCancelTest {
  @TempDir Path tmp;

  private JobManager manager() throws Exception {
    return new JobManager(
        "node-a",
        2,
        new Journal(tmp.resolve("journal")),
        (entry, storage) -> "nothing to clean",
        null,
        Clock.systemUTC(),
        Duration.ofMinutes(5));
  }

  @Test
  void workThatFinishesWhileTheCancelArrivesSucceeds() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    try (JobManager jobs = manager()) {
      jobs.start(
          "late",
          JobKind.JOB_KIND_CHECKPOINT,
          StorageConfig.getDefaultInstance(),
          ctx -> {
            started.countDown();
            // The last step (the manifest) is done; the interrupt of a cancel comes now.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!ctx.cancelled() && System.nanoTime() < until) {
              Thread.onSpinWait();
            }
          });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      Job after = jobs.cancel("late", Duration.ofSeconds(10)).orElseThrow();
      assertThat(after.getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    }
  }

  @Test
  void workThatStopsForTheCancelIsCancelled() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    try (JobManager jobs = manager()) {
      jobs.start(
          "in-time",
          JobKind.JOB_KIND_CHECKPOINT,
          StorageConfig.getDefaultInstance(),
          ctx -> {
            started.countDown();
            Thread.sleep(10_000);
          });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      Job after = jobs.cancel("in-time", Duration.ofSeconds(10)).orElseThrow();
      assertThat(after.getState()).isEqualTo(JobState.JOB_STATE_CANCELLED);
    }
  }
}
