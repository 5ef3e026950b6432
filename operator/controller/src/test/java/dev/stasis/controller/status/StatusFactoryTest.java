package dev.stasis.controller.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusFactoryTest {
  @Test
  void conditionsHaveTheKubernetesShapeAndMoveTheirTransitionTimeOnlyOnAFlip() {
    StatusFactory at10 =
        new StatusFactory(Clock.fixed(Instant.parse("2026-03-01T10:00:00.123Z"), ZoneOffset.UTC));
    StatusFactory at11 =
        new StatusFactory(Clock.fixed(Instant.parse("2026-03-01T11:00:00Z"), ZoneOffset.UTC));
    List<Condition> first = at10.set(List.of(), "Ready", false, "InProgress", "checkpointing", 3L);
    assertThat(first)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("InProgress");
              assertThat(c.getMessage()).isEqualTo("checkpointing");
              assertThat(c.getLastTransitionTime()).isEqualTo("2026-03-01T10:00:00Z");
              assertThat(c.getObservedGeneration()).isEqualTo(3L);
            });
    List<Condition> same = at11.set(first, "Ready", false, "InProgress", "uploading", 3L);
    assertThat(same.get(0).getLastTransitionTime()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(same.get(0).getMessage()).isEqualTo("uploading");
    List<Condition> flipped = at11.set(same, "Ready", true, "Completed", "done", 3L);
    assertThat(flipped)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getLastTransitionTime()).isEqualTo("2026-03-01T11:00:00Z");
            });
    assertThat(at11.set(flipped, "Dumped", true, "Completed", "", 3L))
        .extracting(Condition::getType)
        .containsExactly("Ready", "Dumped");
  }
}
