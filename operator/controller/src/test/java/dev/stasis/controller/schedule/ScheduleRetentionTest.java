package dev.stasis.controller.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointScheduleSpec;
import dev.stasis.api.v1alpha1.CheckpointStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleRetentionTest {
  static final Instant NOW = Instant.parse("2026-06-10T12:00:00Z");

  /** A run {@code hoursAgo} hours ago, in a phase (null: not started). */
  static Checkpoint run(int hoursAgo, CheckpointPhase phase) {
    Checkpoint c = new Checkpoint();
    c.setMetadata(
        new ObjectMetaBuilder()
            .withName("run-" + hoursAgo)
            .withAnnotations(
                Map.of(
                    Stasis.ANNOTATION_SCHEDULED_TIME,
                    NOW.minus(Duration.ofHours(hoursAgo)).toString()))
            .build());
    CheckpointStatus status = new CheckpointStatus();
    status.setPhase(phase);
    c.setStatus(status);
    return c;
  }

  static List<String> expired(CheckpointScheduleSpec spec, Checkpoint... newestFirst) {
    return ScheduleRetention.expired(spec, new ScheduledCheckpoints(List.of(newestFirst)), NOW)
        .stream()
        .map(c -> c.getMetadata().getName())
        .toList();
  }

  @Test
  void keepsTheNewestKeepLastRunsFailedOnesIncluded() {
    CheckpointScheduleSpec spec = new CheckpointScheduleSpec();
    spec.setKeepLast(2);
    assertThat(
            expired(
                spec,
                run(1, CheckpointPhase.Failed),
                run(2, CheckpointPhase.Completed),
                run(3, CheckpointPhase.Completed),
                run(4, CheckpointPhase.Failed)))
        .containsExactly("run-3", "run-4");
  }

  @Test
  void keepWithinKeepsYoungerRunsBeyondKeepLast() {
    CheckpointScheduleSpec spec = new CheckpointScheduleSpec();
    spec.setKeepLast(1);
    spec.setKeepWithin("1d");
    assertThat(
            expired(
                spec,
                run(6, CheckpointPhase.Completed),
                run(12, CheckpointPhase.Completed),
                run(23, CheckpointPhase.Completed),
                run(25, CheckpointPhase.Completed),
                run(48, CheckpointPhase.Completed)))
        .containsExactly("run-25", "run-48");
  }

  @Test
  void neverLetsAnActiveCheckpointGo() {
    CheckpointScheduleSpec spec = new CheckpointScheduleSpec();
    spec.setKeepLast(0);
    assertThat(
            expired(
                spec,
                run(1, CheckpointPhase.Uploading),
                run(2, null),
                run(3, CheckpointPhase.Checkpointing),
                run(4, CheckpointPhase.Completed)))
        .containsExactly("run-4");
  }
}
