package dev.stasis.agent.kubectl;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code describe checkpoint|restore NAME}: spec, status, conditions and the Events about it, as
 * {@code kubectl describe} shows them; with {@code -o}, a List of the object and its Events.
 */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description = {
      "Show a Checkpoint or Restore: spec, status, conditions and Events.",
      "  kubectl stasis describe checkpoint web-0-x7k2p",
      "  kubectl stasis describe restore web-0-restore-q4z8m -o yaml"
    })
final class DescribeCommand extends PluginCommand {
  @Parameters(index = "0", paramLabel = "KIND", description = "checkpoint or restore.")
  String kindName;

  @Parameters(index = "1", paramLabel = "NAME", description = "Its name.")
  String name;

  @Override
  int run(KubernetesClient client, String namespace, boolean machine) {
    StasisKind kind = StasisKind.of(kindName);
    GenericKubernetesResource r = get(client, kind, namespace, name);
    List<Event> events =
        client.events().v1().events().inNamespace(namespace).list().getItems().stream()
            .filter(e -> about(e, kind, r))
            .sorted(Comparator.comparing(DescribeCommand::time))
            .toList();
    if (machine) {
      List<Object> items = new ArrayList<>();
      items.add(r);
      items.addAll(events);
      output.print(out(), Output.list(items));
      return ExitCode.OK;
    }
    PrintWriter out = out();
    out.println("Name:         " + name);
    out.println("Namespace:    " + namespace);
    out.println("Kind:         " + kind.kind());
    out.println("Created:      " + r.getMetadata().getCreationTimestamp());
    out.println("Phase:        " + StasisKind.phase(r));
    out.println("Spec:");
    out.print(yaml(r.get("spec")));
    Map<String, Object> status = new LinkedHashMap<>();
    if (r.get("status") instanceof Map<?, ?> m) {
      m.forEach((k, v) -> status.put(String.valueOf(k), v));
    }
    status.remove("conditions");
    out.println("Status:");
    out.print(yaml(status));
    out.println("Conditions:");
    List<String[]> conditions = new ArrayList<>();
    conditions.add(new String[] {"TYPE", "STATUS", "REASON", "LAST TRANSITION", "MESSAGE"});
    for (Map<String, Object> c : StasisKind.conditions(r)) {
      conditions.add(
          new String[] {
            text(c.get("type")),
            text(c.get("status")),
            text(c.get("reason")),
            text(c.get("lastTransitionTime")),
            text(c.get("message"))
          });
    }
    Tables.print(out, conditions, "  ");
    if (events.isEmpty()) {
      out.println("Events:       <none>");
    } else {
      out.println("Events:");
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"TIME", "TYPE", "REASON", "FROM", "MESSAGE"});
      for (Event e : events) {
        rows.add(
            new String[] {
              time(e), e.getType(), e.getReason(), e.getReportingController(), e.getNote()
            });
      }
      Tables.print(out, rows, "  ");
    }
    out.flush();
    return ExitCode.OK;
  }

  /** An Event regarding this object (by UID when the Event has one, else by name). */
  static boolean about(Event e, StasisKind kind, GenericKubernetesResource r) {
    var regarding = e.getRegarding();
    if (regarding == null || !kind.kind().equals(regarding.getKind())) {
      return false;
    }
    String uid = r.getMetadata().getUid();
    if (regarding.getUid() != null && uid != null) {
      return regarding.getUid().equals(uid);
    }
    return r.getMetadata().getName().equals(regarding.getName());
  }

  private static String time(Event e) {
    if (e.getEventTime() != null && e.getEventTime().getTime() != null) {
      return e.getEventTime().getTime();
    }
    String t = e.getMetadata().getCreationTimestamp();
    return t == null ? "" : t;
  }

  private static String text(Object o) {
    return o == null ? "" : String.valueOf(o);
  }

  /** A value as YAML, two spaces in, without the document marker. */
  private static String yaml(Object value) {
    if (value == null) {
      return "  {}\n";
    }
    String y = Output.yaml(value);
    StringBuilder b = new StringBuilder();
    for (String line : y.split("\n")) {
      b.append("  ").append(line).append('\n');
    }
    return b.toString();
  }
}
