package dev.stasis.agent.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.storage.CheckpointEntry;
import dev.stasis.storage.CheckpointManifest;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import dev.stasis.storage.cli.ProgressBar;
import dev.stasis.storage.cli.StoreOptions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ls [POD]}: the namespace's checkpoints, newest first (Cedana's {@code job list}). They
 * include the checkpoints the operator imported from storage (label {@code stasis.dev/imported}).
 * With {@code --dir}, also those in that location that have no Checkpoint here at all (a storage
 * the operator does not sync, or a namespace it does not watch), read from their manifests.
 */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = {
      "List checkpoints, newest first: NAME, POD, PHASE, TIME, SIZE, PATH.",
      "  kubectl stasis ls",
      "  kubectl stasis ls web-0 --dir s3://bucket/checkpoints"
    })
final class ListCommand extends PluginCommand {
  /** PHASE of a checkpoint found only in storage, with no Checkpoint in the cluster. */
  static final String STORAGE_ONLY = "StorageOnly";

  /** The kind of a storage-only entry in {@code -o json|yaml}: its path and its manifest. */
  static final String STORED_KIND = "StoredCheckpoint";

  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "0", arity = "0..1", paramLabel = "POD", description = "Only this pod's.")
  String pod;

  @Option(
      names = "--dir",
      paramLabel = "URI",
      description =
          "Also list the checkpoints stored under this location (as in Checkpoint spec.dir)"
              + " that have no Checkpoint in the cluster; S3 and GCS credentials as for cp.")
  String dir;

  @Mixin StoreOptions store;

  record Row(String name, String pod, String phase, String time, String size, String path) {}

  @Override
  int run(KubernetesClient client, String namespace, boolean machine) throws IOException {
    List<GenericKubernetesResource> checkpoints =
        StasisKind.CHECKPOINT.in(client).inNamespace(namespace).list().getItems().stream()
            .filter(c -> pod == null || pod.equals(StasisKind.text(c, "spec", "podName")))
            .toList();
    Set<String> known = new HashSet<>();
    for (GenericKubernetesResource c : checkpoints) {
      known.add(StasisKind.text(c, "status", "path"));
    }
    List<CheckpointEntry> storageOnly = new ArrayList<>();
    if (dir != null) {
      try (StorageLocation loc = store.open(StorageUri.parse(dir))) {
        for (CheckpointEntry e :
            new CheckpointRepository(loc, store.transfer(null)).list(namespace, pod)) {
          if (!known.contains(e.uri().toString())) {
            storageOnly.add(e);
          }
        }
      }
    }
    if (machine) {
      List<Object> items = new ArrayList<>(checkpoints);
      for (CheckpointEntry e : storageOnly) {
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("kind", STORED_KIND);
        stored.put("path", e.uri().toString());
        stored.put("manifest", JSON.readTree(e.manifest().toJson()));
        items.add(stored);
      }
      output.print(out(), Output.list(items));
      return ExitCode.OK;
    }
    List<Row> rows = new ArrayList<>();
    for (GenericKubernetesResource c : checkpoints) {
      String time = StasisKind.text(c, "status", "checkpointTime");
      if (time.isEmpty()) {
        time = c.getMetadata().getCreationTimestamp();
      }
      Object size = c.get("status", "size");
      rows.add(
          new Row(
              c.getMetadata().getName(),
              StasisKind.text(c, "spec", "podName"),
              StasisKind.phase(c),
              seconds(time),
              size instanceof Number n ? ProgressBar.bytes(n.longValue()) : "",
              StasisKind.text(c, "status", "path")));
    }
    for (CheckpointEntry e : storageOnly) {
      CheckpointManifest m = e.manifest();
      rows.add(
          new Row(
              m.checkpoint().name(),
              m.checkpoint().pod(),
              STORAGE_ONLY,
              seconds(m.createdAt().toString()),
              ProgressBar.bytes(m.storedBytes()),
              e.uri().toString()));
    }
    rows.sort(Comparator.comparing((Row r) -> r.time() == null ? "" : r.time()).reversed());
    print(out(), rows);
    return ExitCode.OK;
  }

  /** RFC 3339 to the second, as kubectl shows times ({@code 2026-12-04T18:26:28Z}). */
  static String seconds(String time) {
    if (time == null || time.isEmpty()) {
      return "";
    }
    try {
      return Instant.parse(time).truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      return time;
    }
  }

  static void print(PrintWriter out, List<Row> rows) {
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"NAME", "POD", "PHASE", "TIME", "SIZE", "PATH"});
    for (Row r : rows) {
      table.add(new String[] {r.name(), r.pod(), r.phase(), r.time(), r.size(), r.path()});
    }
    Tables.print(out, table);
  }
}
