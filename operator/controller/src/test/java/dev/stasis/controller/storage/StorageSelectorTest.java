package dev.stasis.controller.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.api.v1alpha1.CheckpointSpec;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.Cloud;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StorageSelectorTest {
  static CheckpointStorage storage(String yaml) {
    return Serialization.unmarshal(
        "apiVersion: stasis.dev/v1alpha1\nkind: CheckpointStorage\n" + yaml,
        CheckpointStorage.class);
  }

  static Node node(String providerId, Map<String, String> labels) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("n")
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withProviderID(providerId)
        .endSpec()
        .build();
  }

  static CheckpointSpec spec() {
    CheckpointSpec s = new CheckpointSpec();
    s.setPodName("web");
    return s;
  }

  static final CheckpointStorage EKS =
      storage(
          "metadata: {name: s3-eks}\nspec: {s3: {bucket: b}, match: {cloud: EKS}, priority: 10}");
  static final CheckpointStorage EKS_ZONE =
      storage(
          "metadata: {name: s3-zone}\nspec: {s3: {bucket: z}, match: {cloud: EKS, nodeSelector: {topology.k8s.aws/zone-id: use1-az4}}, priority: 20}");
  static final CheckpointStorage EKS_TIE =
      storage(
          "metadata: {name: a-s3-eks}\nspec: {s3: {bucket: c}, match: {cloud: EKS}, priority: 10}");
  static final CheckpointStorage GKE =
      storage(
          "metadata: {name: gcs-gke}\nspec: {gcs: {bucket: g}, match: {cloud: GKE}, priority: 10}");
  static final CheckpointStorage EMPTY_MATCH =
      storage("metadata: {name: aaa-empty}\nspec: {s3: {bucket: e}, match: {}, priority: 999}");
  static final CheckpointStorage DEFAULT_OLD =
      storage(
          "metadata: {name: zz-local, creationTimestamp: '2026-01-01T00:00:00Z'}\nspec: {filesystem: {path: /a}, default: true}");
  static final CheckpointStorage DEFAULT_NEW =
      storage(
          "metadata: {name: aa-local, creationTimestamp: '2026-02-01T00:00:00Z'}\nspec: {filesystem: {path: /b}, default: true}");

  static final Node EKS_NODE =
      node(
          "aws:///use1-az4/i-1",
          Map.of("eks.amazonaws.com/nodegroup", "ng", "topology.k8s.aws/zone-id", "use1-az4"));
  static final Node KARPENTER_NODE =
      node("aws:///use1-az1/i-2", Map.of("karpenter.sh/nodepool", "default"));
  static final Node PLAIN_EC2 = node("aws:///use1-az1/i-3", Map.of("kubernetes.io/os", "linux"));
  static final Node GKE_NODE =
      node("gce://p/us-central1-a/gke-1", Map.of("cloud.google.com/gke-nodepool", "pool"));
  static final Node GCE_WITH_EKS_LABEL =
      node("gce://p/z/vm", Map.of("eks.amazonaws.com/nodegroup", "x"));

  @Test
  void recognisesEksAndGkeOnlyFromProviderIdTogetherWithTheirLabels() {
    assertThat(CloudDetector.detect(EKS_NODE)).contains(Cloud.EKS);
    assertThat(CloudDetector.detect(KARPENTER_NODE)).contains(Cloud.EKS);
    assertThat(CloudDetector.detect(GKE_NODE)).contains(Cloud.GKE);
    assertThat(CloudDetector.detect(PLAIN_EC2)).isEmpty();
    assertThat(CloudDetector.detect(GCE_WITH_EKS_LABEL)).isEmpty();
    assertThat(CloudDetector.detect(node(null, Map.of("eks.amazonaws.com/nodegroup", "x"))))
        .isEmpty();
  }

  @Test
  void theHighestPriorityMatchWinsThenTheNameThatSortsFirst() throws Exception {
    var all = List.of(EKS, EKS_ZONE, EKS_TIE, GKE, EMPTY_MATCH, DEFAULT_OLD);
    StorageSelection zone = StorageSelector.select(spec(), EKS_NODE, all);
    assertThat(zone.display()).isEqualTo("s3-zone");
    assertThat(zone.reason())
        .isEqualTo(
            "node matches cloud EKS and nodeSelector topology.k8s.aws/zone-id=use1-az4 (priority 20)");
    StorageSelection tie = StorageSelector.select(spec(), KARPENTER_NODE, all);
    assertThat(tie.display()).isEqualTo("a-s3-eks");
    assertThat(StorageSelector.select(spec(), GKE_NODE, all).display()).isEqualTo("gcs-gke");
  }

  @Test
  void anEmptyMatchMatchesNothingAndUnmatchedNodesGoToTheOldestDefault() throws Exception {
    var all = List.of(EKS, GKE, EMPTY_MATCH, DEFAULT_NEW, DEFAULT_OLD);
    StorageSelection s = StorageSelector.select(spec(), PLAIN_EC2, all);
    assertThat(s.display()).isEqualTo("zz-local");
    assertThat(s.reason()).isEqualTo("default storage");
    assertThat(StorageSelector.defaultStorage(all))
        .map(x -> x.getMetadata().getName())
        .isEqualTo(Optional.of("zz-local"));
  }

  @Test
  void specDirAndSpecStorageComeFirst() throws Exception {
    CheckpointSpec dir = spec();
    dir.setDir("gs://elsewhere/x");
    assertThat(StorageSelector.select(dir, EKS_NODE, List.of(EKS)).display())
        .isEqualTo("gs://elsewhere/x");
    CheckpointSpec named = spec();
    named.setStorage("gcs-gke");
    StorageSelection s = StorageSelector.select(named, EKS_NODE, List.of(EKS, GKE));
    assertThat(s.display()).isEqualTo("gcs-gke");
    assertThat(s.reason()).isEqualTo("spec.storage");
    named.setStorage("missing");
    assertThatThrownBy(() -> StorageSelector.select(named, EKS_NODE, List.of(EKS)))
        .hasMessage("CheckpointStorage 'missing' named in spec.storage does not exist");
  }

  @Test
  void noMatchAndNoDefaultSaysWhatToDo() {
    assertThatThrownBy(() -> StorageSelector.select(spec(), GKE_NODE, List.of(EKS)))
        .hasMessage(
            "no CheckpointStorage matches node n (cloud GKE) and none is the default: create one with spec.default: true, or set spec.storage or spec.dir");
  }
}
