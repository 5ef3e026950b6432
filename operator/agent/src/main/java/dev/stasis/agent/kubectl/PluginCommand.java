package dev.stasis.agent.kubectl;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every plugin command has: the cluster options, {@code -o}, and its client. */
abstract class PluginCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClusterOptions cluster;
  @Mixin Output output;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public final Integer call() throws Exception {
    boolean machine = output.machine();
    try (KubernetesClient client = cluster.client()) {
      return run(client, cluster.namespace(), machine);
    }
  }

  abstract int run(KubernetesClient client, String namespace, boolean machine) throws Exception;

  /**
   * Creates the object; with {@code --wait}, follows it to its final phase. Prints the object with
   * {@code -o} (the final one when waiting, Failed or not), else a line for people: {@code
   * created}, then {@code summary} of the finished object. A Failed one exits {@link
   * ExitCode#FAILED} with its reason on stderr.
   */
  int createAndFollow(
      KubernetesClient client,
      String namespace,
      boolean machine,
      StasisKind kind,
      String name,
      Map<String, Object> spec,
      WaitOptions waiting,
      Function<GenericKubernetesResource, String> summary) {
    var objects = kind.in(client).inNamespace(namespace);
    GenericKubernetesResource result =
        objects.resource(Objects.create(kind, namespace, name, spec)).create();
    if (!machine) {
      out().println(kind.ref(name) + " created");
      out().flush();
    }
    if (waiting.wait) {
      result = waiting.await(kind, name, () -> objects.withName(name).get(), machine, err());
    }
    if (machine) {
      output.print(out(), result);
    }
    if (waiting.wait && kind.hasFailed(result)) {
      throw new PluginException(
          ExitCode.FAILED, kind.ref(name) + " Failed: " + StasisKind.failure(result));
    }
    if (waiting.wait && !machine) {
      out().println(kind.ref(name) + " " + StasisKind.phase(result) + ": " + summary.apply(result));
    }
    return ExitCode.OK;
  }

  /** The object, or exit {@link ExitCode#NOT_FOUND_OR_API_ERROR} saying which is missing. */
  static GenericKubernetesResource get(
      KubernetesClient client, StasisKind kind, String namespace, String name) {
    GenericKubernetesResource r = kind.in(client).inNamespace(namespace).withName(name).get();
    if (r == null) {
      throw new PluginException(
          ExitCode.NOT_FOUND_OR_API_ERROR, kind.ref(name) + " not found in namespace " + namespace);
    }
    return r;
  }
}
