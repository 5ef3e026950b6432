package dev.stasis.controller.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.api.Stasis;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkloadChildrenTest {
  @Test
  void aChildIsNamedAfterItsParentAndPod() {
    assertThat(WorkloadChildren.name("web-ckpt", "web-5d9c7b6f4-aaaaa"))
        .isEqualTo("web-ckpt-web-5d9c7b6f4-aaaaa");
  }

  @Test
  void aNameTooLongIsCutWithASuffixThatTellsPodsApart() {
    String parent = "p".repeat(200);
    String a = WorkloadChildren.name(parent, "a".repeat(100));
    String b = WorkloadChildren.name(parent, "a".repeat(99) + "b");
    assertThat(a).hasSize(253).matches(Stasis.NAME_PATTERN);
    assertThat(b).hasSize(253).isNotEqualTo(a);
    assertThat(WorkloadChildren.name(parent, "a".repeat(100))).isEqualTo(a);
  }

  @Test
  void theSpreadReadsInMillisecondsOrSeconds() {
    assertThat(Spread.display(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Spread.display(Duration.ofMillis(1340))).isEqualTo("1.3s");
    assertThat(Spread.display(Duration.ZERO)).isEqualTo("0ms");
  }
}
