package dev.stasis.agent.kubectl;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code restore POD --latest | --checkpoint NAME}: creates a Restore; with --wait, follows it
 * until the restored pod runs (Cedana's {@code restore job --attach}).
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restore a pod from its newest or a named checkpoint: create a Restore.",
      "The Restore is named POD-restore-xxxxx unless --name.",
      "  kubectl stasis restore web-0 --latest --wait",
      "  kubectl stasis restore web-0 --checkpoint web-0-x7k2p --pod-name web-0-copy"
    })
final class RestoreCommand extends PluginCommand {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "POD",
      description = "The checkpointed pod (optional with --checkpoint: then it must match).")
  String pod;

  static final class Source {
    @Option(
        names = "--latest",
        required = true,
        description = "The pod's newest Completed checkpoint.")
    boolean latest;

    @Option(
        names = "--checkpoint",
        required = true,
        paramLabel = "NAME",
        description = "This Checkpoint.")
    String checkpoint;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(
      names = "--pod-name",
      paramLabel = "NAME",
      description = "Name of the restored pod (default: the pod's, if free).")
  String podName;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The Restore's name (default: POD-restore- and five random characters).")
  String name;

  @Mixin WaitOptions waiting;

  @Override
  int run(KubernetesClient client, String namespace, boolean machine) {
    Map<String, Object> spec = new LinkedHashMap<>();
    String base;
    if (source.latest) {
      if (pod == null) {
        throw new PluginException(
            ExitCode.USAGE, "--latest needs the POD whose checkpoint to restore");
      }
      spec.put("latestOf", Map.of("podName", pod));
      base = pod;
    } else {
      GenericKubernetesResource ck =
          get(client, StasisKind.CHECKPOINT, namespace, source.checkpoint);
      String of = StasisKind.text(ck, "spec", "podName");
      if (pod != null && !pod.equals(of)) {
        throw new PluginException(
            ExitCode.USAGE,
            StasisKind.CHECKPOINT.ref(source.checkpoint)
                + " is a checkpoint of pod "
                + (of.isEmpty() ? "(a workload)" : of)
                + ", not "
                + pod);
      }
      spec.put("checkpointName", source.checkpoint);
      base = of.isEmpty() ? source.checkpoint : of;
    }
    if (podName != null) {
      spec.put("podName", podName);
    }
    String n = name != null ? name : new GeneratedNames().generate(base + "-restore-");
    return createAndFollow(
        client,
        namespace,
        machine,
        StasisKind.RESTORE,
        n,
        spec,
        waiting,
        done ->
            "pod "
                + StasisKind.text(done, "status", "restoredPod")
                + " on node "
                + StasisKind.text(done, "status", "nodeName")
                + " from "
                + StasisKind.text(done, "status", "path"));
  }
}
