package dev.stasis.agent.kubectl;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Which cluster and namespace, as kubectl chooses them: {@code --kubeconfig}, else {@code
 * KUBECONFIG}, else {@code ~/.kube/config}, else the pod's service account (in-cluster); the
 * context's namespace unless {@code -n} is given, else {@code default}.
 */
final class ClusterOptions {
  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "Kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster).")
  Path kubeconfig;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description = "Kubeconfig context (default: the current context).")
  String context;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "Namespace (default: the context's, else default).")
  String namespace;

  static final int RETRIES = 3;

  private Config config;

  Config config() {
    if (config == null) {
      if (kubeconfig != null) {
        if (!Files.isReadable(kubeconfig)) {
          throw new PluginException(ExitCode.USAGE, "cannot read --kubeconfig " + kubeconfig);
        }
        config = Config.fromKubeconfig(context, kubeconfig.toFile());
      } else {
        config = Config.autoConfigure(context);
      }
      // A few quick retries (0.1 to 0.8 s apart) rather than fabric8's ten: an unreachable API
      // server is an answer within seconds, as with kubectl. --wait rides out longer gaps.
      config.setRequestRetryBackoffLimit(RETRIES);
    }
    return config;
  }

  /** The namespace to work in. */
  String namespace() {
    if (namespace != null) {
      return namespace;
    }
    String ns = config().getNamespace();
    return ns == null || ns.isBlank() ? "default" : ns;
  }

  KubernetesClient client() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }
}
