package dev.stasis.testsupport.kube;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the scheduler and the nodes' kubelets for pods in a mock cluster: a pod without a node is
 * bound to a Ready, schedulable node that fits its {@code nodeSelector} and whose NoSchedule and
 * NoExecute taints it tolerates (the one with the fewest pods, then by name); a pod on a node that
 * is not running yet is started there: the node's {@link NodeRuntime} is told (a kubelet simulator
 * learns its containers, say) and the pod's status becomes Running with a pod IP from the node's
 * range, Ready, one running status per container. Restored pods, which arrive with their node set,
 * run the same way. Deleted pods are stopped.
 *
 * <p>Pods that are created Running (the agents', with their own address) are left alone.
 */
public final class FakeKubelets implements AutoCloseable {
  /** What runs a node's pods: told when a pod starts and stops there. */
  public interface NodeRuntime {
    void started(Pod pod);

    void stopped(Pod pod);
  }

  private final KubernetesClient client;
  private final Map<String, NodeRuntime> runtimes = new ConcurrentHashMap<>();
  private final Map<String, Integer> nodeIndex = new ConcurrentHashMap<>();
  private final AtomicInteger nextIp = new AtomicInteger(2);
  private final SharedIndexInformer<Pod> informer;

  /** Starts watching every pod of the cluster. */
  public FakeKubelets(KubernetesClient client) {
    this.client = client;
    this.informer =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    handle(pod);
                  }

                  @Override
                  public void onUpdate(Pod before, Pod pod) {
                    handle(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    stopped(pod);
                  }
                },
                0);
  }

  /** The runtime of a node: told about the pods that start and stop there. */
  public FakeKubelets runtime(String nodeName, NodeRuntime runtime) {
    runtimes.put(nodeName, runtime);
    return this;
  }

  private void handle(Pod pod) {
    try {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if (phase != null && !phase.equals("Pending")) {
        return;
      }
      String node = pod.getSpec().getNodeName();
      if (node == null || node.isBlank()) {
        schedule(pod);
      } else {
        start(pod, node);
      }
    } catch (KubernetesClientException e) {
      // The pod changed or went away meanwhile: the next event brings it again.
    }
  }

  private void schedule(Pod pod) {
    Map<String, String> selector =
        pod.getSpec().getNodeSelector() == null ? Map.of() : pod.getSpec().getNodeSelector();
    List<Node> fit =
        client.nodes().list().getItems().stream()
            .filter(FakeKubelets::ready)
            .filter(n -> !Boolean.TRUE.equals(n.getSpec().getUnschedulable()))
            .filter(n -> tolerated(n, pod))
            .filter(n -> matches(n, selector))
            .toList();
    if (fit.isEmpty()) {
      String message =
          "0 nodes are available: no Ready, schedulable node matches "
              + selector
              + " with taints the pod tolerates";
      boolean said =
          pod.getStatus() != null
              && pod.getStatus().getConditions() != null
              && pod.getStatus().getConditions().stream()
                  .anyMatch(
                      c -> "PodScheduled".equals(c.getType()) && message.equals(c.getMessage()));
      if (said) {
        return;
      }
      PodStatus status =
          new PodStatusBuilder()
              .withPhase("Pending")
              .withConditions(
                  new PodConditionBuilder()
                      .withType("PodScheduled")
                      .withStatus("False")
                      .withReason("Unschedulable")
                      .withMessage(message)
                      .build())
              .build();
      patchStatus(pod, status);
      return;
    }
    Map<String, Long> load = new ConcurrentHashMap<>();
    for (Pod p : informer.getStore().list()) {
      if (p.getSpec().getNodeName() != null) {
        load.merge(p.getSpec().getNodeName(), 1L, Long::sum);
      }
    }
    Node chosen =
        fit.stream()
            .min(
                Comparator.comparingLong((Node n) -> load.getOrDefault(name(n), 0L))
                    .thenComparing(FakeKubelets::name))
            .orElseThrow();
    // As the scheduler binds a pod: a Binding, since an API server refuses a change of nodeName.
    client
        .bindings()
        .inNamespace(pod.getMetadata().getNamespace())
        .resource(
            new BindingBuilder()
                .withNewMetadata()
                .withName(pod.getMetadata().getName())
                .withNamespace(pod.getMetadata().getNamespace())
                .endMetadata()
                .withNewTarget()
                .withApiVersion("v1")
                .withKind("Node")
                .withName(name(chosen))
                .endTarget()
                .build())
        .create();
  }

  private void start(Pod pod, String nodeName) {
    Node node = client.nodes().withName(nodeName).get();
    if (node == null) {
      return;
    }
    NodeRuntime runtime = runtimes.get(nodeName);
    if (runtime != null) {
      runtime.started(pod);
    }
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    int index = nodeIndex.computeIfAbsent(nodeName, n -> nodeIndex.size() + 1);
    String podIp = "10.244." + index + "." + nextIp.getAndIncrement() % 250;
    List<ContainerStatus> containers = new ArrayList<>();
    pod.getSpec()
        .getContainers()
        .forEach(
            c ->
                containers.add(
                    new ContainerStatusBuilder()
                        .withName(c.getName())
                        .withImage(c.getImage())
                        .withImageID(c.getImage())
                        .withContainerID(
                            "cri-o://"
                                + sha256(
                                    pod.getMetadata().getNamespace()
                                        + "/"
                                        + pod.getMetadata().getName()
                                        + "/"
                                        + c.getName()
                                        + "/"
                                        + pod.getMetadata().getUid()))
                        .withReady(true)
                        .withStarted(true)
                        .withRestartCount(0)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(now)
                        .endRunning()
                        .endState()
                        .build()));
    List<PodCondition> conditions = new ArrayList<>();
    for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
      conditions.add(
          new PodConditionBuilder()
              .withType(type)
              .withStatus("True")
              .withLastTransitionTime(now)
              .build());
    }
    patchStatus(
        pod,
        new PodStatusBuilder()
            .withPhase("Running")
            .withHostIP(internalIp(node))
            .withPodIP(podIp)
            .addNewPodIP(podIp)
            .withStartTime(now)
            .withConditions(conditions)
            .withContainerStatuses(containers)
            .withQosClass("Burstable")
            .build());
  }

  private void stopped(Pod pod) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    NodeRuntime runtime = node == null ? null : runtimes.get(node);
    if (runtime != null) {
      runtime.stopped(pod);
    }
  }

  private void patchStatus(Pod pod, PodStatus status) {
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }

  private static String internalIp(Node node) {
    if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return null;
    }
    return node.getStatus().getAddresses().stream()
        .filter(a -> "InternalIP".equals(a.getType()))
        .map(NodeAddress::getAddress)
        .findFirst()
        .orElse(null);
  }

  private static boolean ready(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * Whether the pod tolerates each NoSchedule and NoExecute taint of the node, as the scheduler.
   */
  private static boolean tolerated(Node node, Pod pod) {
    List<Taint> taints =
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.of()
            : node.getSpec().getTaints();
    List<Toleration> tolerations =
        pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
    return taints.stream()
        .filter(t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
        .allMatch(t -> tolerations.stream().anyMatch(tol -> tolerates(tol, t)));
  }

  private static boolean tolerates(Toleration toleration, Taint taint) {
    boolean exists = "Exists".equals(toleration.getOperator());
    String key = toleration.getKey();
    boolean keyMatches = key == null || key.isEmpty() ? exists : key.equals(taint.getKey());
    boolean valueMatches =
        exists
            || Objects.equals(
                Objects.toString(toleration.getValue(), ""),
                Objects.toString(taint.getValue(), ""));
    String effect = toleration.getEffect();
    boolean effectMatches = effect == null || effect.isEmpty() || effect.equals(taint.getEffect());
    return keyMatches && valueMatches && effectMatches;
  }

  private static boolean matches(Node node, Map<String, String> selector) {
    Map<String, String> labels =
        node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    return selector.entrySet().stream()
        .allMatch(e -> Objects.equals(e.getValue(), labels.get(e.getKey())));
  }

  private static String name(Node node) {
    return node.getMetadata().getName();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
