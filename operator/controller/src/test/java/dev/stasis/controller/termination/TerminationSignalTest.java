package dev.stasis.controller.termination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminationSignalTest {
  static Node node(boolean unschedulable, String... taints) {
    NodeBuilder b =
        new NodeBuilder()
            .withNewMetadata()
            .withName("n")
            .endMetadata()
            .withNewSpec()
            .withUnschedulable(unschedulable)
            .endSpec();
    for (String t : taints) {
      b = b.editSpec().addNewTaint().withKey(t).withEffect("NoSchedule").endTaint().endSpec();
    }
    return b.build();
  }

  @Test
  void aNodeWithoutSignalIsNotGoingAway() {
    assertThat(TerminationSignal.of(node(false))).isEmpty();
    assertThat(TerminationSignal.of(node(false, "dedicated"))).isEmpty();
    assertThat(TerminationSignal.of(new Node())).isEmpty();
  }

  @Test
  void aCordonIsADrainAndTheMostUrgentSignalWins() {
    assertThat(TerminationSignal.of(node(true))).contains(TerminationSignal.DRAIN);
    assertThat(TerminationSignal.of(node(false, "node.kubernetes.io/unschedulable")))
        .contains(TerminationSignal.DRAIN);
    assertThat(
            TerminationSignal.of(
                node(
                    true,
                    "aws-node-termination-handler/rebalance-recommendation",
                    "aws-node-termination-handler/spot-itn")))
        .contains(TerminationSignal.SPOT_INTERRUPTION);
    assertThat(TerminationSignal.of(node(false, "cloud.google.com/impending-node-termination")))
        .contains(TerminationSignal.GKE_TERMINATION);
  }

  @Test
  void deadlinesComeFromTheEnvironmentElseTheDefaults() {
    TerminationDeadlines d =
        TerminationDeadlines.fromEnv(
            Map.of(
                "STASIS_TERMINATION_DEADLINE_SPOT", "90", "STASIS_TERMINATION_DEADLINE_GKE", ""));
    assertThat(d.of(TerminationSignal.SPOT_INTERRUPTION)).isEqualTo(90);
    assertThat(d.of(TerminationSignal.GKE_TERMINATION)).isEqualTo(25);
    assertThat(d.of(TerminationSignal.DRAIN)).isEqualTo(300);
    assertThatThrownBy(
            () -> TerminationDeadlines.fromEnv(Map.of("STASIS_TERMINATION_DEADLINE_DRAIN", "5m")))
        .hasMessage(
            "STASIS_TERMINATION_DEADLINE_DRAIN must be a positive number of seconds, not '5m'");
  }
}
