package dev.stasis.agent.kubectl;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code checkpoint POD}: creates a Checkpoint of the pod; with --wait, follows it to the end. */
@Command(
    name = "checkpoint",
    mixinStandardHelpOptions = true,
    description = {
      "Checkpoint a pod: create a Checkpoint.",
      "The Checkpoint is named POD-xxxxx unless --name.",
      "  kubectl stasis checkpoint web-0 --wait",
      "  kubectl stasis checkpoint web-0 --dir s3://bucket/checkpoints -o json"
    })
final class CheckpointCommand extends PluginCommand {
  @Parameters(index = "0", paramLabel = "POD", description = "The pod to checkpoint.")
  String pod;

  static final class Where {
    @Option(
        names = "--storage",
        paramLabel = "NAME",
        description = "The CheckpointStorage to write to (default: chosen by the pod's node).")
    String storage;

    @Option(
        names = "--dir",
        paramLabel = "URI",
        description = "A location instead: s3://, gs://, file:// or stasis://.")
    String dir;
  }

  @ArgGroup(exclusive = true)
  Where where;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The Checkpoint's name (default: POD- and five random characters).")
  String name;

  @Mixin WaitOptions waiting;

  @Override
  int run(KubernetesClient client, String namespace, boolean machine) {
    String n = name != null ? name : new GeneratedNames().generate(pod + "-");
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("podName", pod);
    if (where != null && where.storage != null) {
      spec.put("storage", where.storage);
    }
    if (where != null && where.dir != null) {
      spec.put("dir", where.dir);
    }
    return createAndFollow(
        client,
        namespace,
        machine,
        StasisKind.CHECKPOINT,
        n,
        spec,
        waiting,
        done ->
            StasisKind.text(done, "status", "displaySize")
                + " at "
                + StasisKind.text(done, "status", "path"));
  }
}
