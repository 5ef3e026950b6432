package dev.stasis.agent;

import dev.stasis.agent.jobs.CheckpointWork;
import dev.stasis.agent.jobs.JobContext;
import dev.stasis.agent.kubelet.KubeletClient;
import dev.stasis.agent.store.EngineCheckpointStore;
import dev.stasis.agent.store.Throttle;
import dev.stasis.agent.v1.ContainerRef;
import dev.stasis.agent.v1.ContainerResult;
import dev.stasis.agent.v1.PushedImage;
import dev.stasis.agent.v1.StartCheckpointRequest;
import dev.stasis.api.v1alpha1.Compression;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Checkpoints a pod's containers through the kubelet and stores them, without the operator. */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    description =
        "Checkpoint containers of a pod on this node through the kubelet and store them under"
            + " --dir (s3://, gs://, file://). Prints the checkpoint's URI.")
final class DumpCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--pod", required = true, description = "namespace/name of the pod")
  String pod;

  @Option(
      names = {"--container", "-c"},
      required = true,
      description = "container to checkpoint (repeat for several)")
  List<String> containers = new ArrayList<>();

  @Option(names = "--dir", required = true, description = "where to store: s3://bucket/prefix ...")
  String dir;

  @Option(names = "--name", description = "checkpoint name (default: <pod>-<time>)")
  String name;

  @Option(
      names = "--compression",
      defaultValue = "zstd",
      description = "zstd, lz4, gzip or none (default: ${DEFAULT-VALUE})")
  String compression;

  @Option(names = "--kubelet-host", defaultValue = "${env:STASIS_KUBELET_HOST:-127.0.0.1}")
  String kubeletHost;

  @Option(names = "--kubelet-port", defaultValue = "${env:STASIS_KUBELET_PORT:-10250}")
  int kubeletPort;

  @Option(names = "--kubelet-ca", description = "PEM CA of the kubelet's serving certificate")
  Path kubeletCa;

  @Option(
      names = "--kubelet-insecure-skip-verify",
      description = "do not verify the kubelet's certificate")
  boolean insecure;

  @Option(
      names = "--token-file",
      defaultValue = "${env:STASIS_KUBELET_TOKEN_FILE:-" + AgentConfig.SA_DIR + "/token}",
      description = "bearer token for the kubelet (default: ${DEFAULT-VALUE})")
  Path tokenFile;

  @Option(
      names = "--checkpoint-dir",
      defaultValue = "${env:STASIS_CHECKPOINT_DIR:-/var/lib/kubelet/checkpoints}",
      description = "where the kubelet's archives appear (default: ${DEFAULT-VALUE})")
  Path checkpointDir;

  @Option(names = "--timeout", defaultValue = "0", description = "kubelet timeout in seconds")
  int timeout;

  @Option(names = "--keep-kubelet-archives", description = "leave the kubelet's archives in place")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    String[] nsName = pod.split("/", 2);
    if (nsName.length != 2 || nsName[0].isEmpty() || nsName[1].isEmpty()) {
      throw new IllegalArgumentException("--pod must be namespace/name, got '" + pod + "'");
    }
    Compression c = Compression.fromValue(compression);
    String id = UUID.randomUUID().toString();
    StartCheckpointRequest.Builder r =
        StartCheckpointRequest.newBuilder()
            .setJobId(id)
            .setNamespace(nsName[0])
            .setPodName(nsName[1])
            .setCheckpointName(
                name != null ? name : nsName[1] + "-" + (System.currentTimeMillis() / 1000))
            .setDestinationUri(dir)
            .setCompression(dev.stasis.agent.v1.Compression.valueOf("COMPRESSION_" + c.name()))
            .setKubeletTimeoutSeconds(timeout);
    for (String ctr : containers) {
      r.addContainers(ContainerRef.newBuilder().setName(ctr));
    }
    KubeletClient kubelet =
        KubeletClient.create(
            kubeletHost, kubeletPort, kubeletCa, insecure, tokenFile, checkpointDir);
    EngineCheckpointStore store = EngineCheckpointStore.fromEnvironment();
    String node = System.getenv().getOrDefault("NODE_NAME", "");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String[] uri = new String[1];
    JobContext ctx =
        new JobContext() {
          @Override
          public String jobId() {
            return id;
          }

          @Override
          public void phase(String phase) {
            err.println(phase + "...");
            err.flush();
          }

          @Override
          public void progress(long done, long total) {}

          @Override
          public void addContainer(ContainerResult res) {
            err.printf(
                "%s: %d bytes, stored %d, sha256 %s%n",
                res.getName(), res.getArchiveBytes(), res.getStoredBytes(), res.getSha256());
            err.flush();
          }

          @Override
          public void addImage(PushedImage image) {}

          @Override
          public void checkpointUri(String u) {
            uri[0] = u;
          }

          @Override
          public void kubeletArchive(Path archive) {}

          @Override
          public void kubeletArchiveRemoved(Path archive) {}

          @Override
          public void storedBytes(long bytes) {}

          @Override
          public void manifestWritten() {}

          @Override
          public void note(String message) {
            err.println(message);
            err.flush();
          }

          @Override
          public boolean cancelled() {
            return false;
          }
        };
    try {
      new CheckpointWork(r.build(), kubelet, store, node, keep, Throttle.none(), Clock.systemUTC())
          .run(ctx);
    } catch (JobFailure f) {
      err.println("error: " + f.reason() + ": " + f.getMessage());
      err.flush();
      return 1;
    }
    out.println(uri[0]);
    out.flush();
    return 0;
  }
}
