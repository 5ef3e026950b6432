package dev.stasis.controller.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes Kubernetes Events (events.k8s.io/v1) about our resources, as {@code kubectl describe}
 * and {@code kubectl get events} show them. Failing to publish an event never fails a reconcile.
 */
public final class EventRecorder {
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  public static final String CONTROLLER = "stasis.dev/operator";

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);

  private final KubernetesClient client;
  private final StatusFactory status;
  private final String instance;

  public EventRecorder(KubernetesClient client, StatusFactory status, String instance) {
    this.client = client;
    this.status = status;
    this.instance = instance;
  }

  public void normal(HasMetadata regarding, String reason, String action, String note) {
    publish(regarding, NORMAL, reason, action, note);
  }

  public void warning(HasMetadata regarding, String reason, String action, String note) {
    publish(regarding, WARNING, reason, action, note);
  }

  private void publish(
      HasMetadata regarding, String type, String reason, String action, String note) {
    String namespace =
        regarding.getMetadata().getNamespace() == null
            ? "default"
            : regarding.getMetadata().getNamespace();
    String name =
        regarding.getMetadata().getName()
            + "."
            + Long.toHexString(status.now().toEpochMilli())
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .withRegarding(
                new ObjectReferenceBuilder()
                    .withApiVersion(regarding.getApiVersion())
                    .withKind(regarding.getKind())
                    .withName(regarding.getMetadata().getName())
                    .withNamespace(regarding.getMetadata().getNamespace())
                    .withUid(regarding.getMetadata().getUid())
                    .build())
            .withType(type)
            .withReason(reason)
            .withAction(action)
            .withNote(note == null ? "" : note.length() > 1024 ? note.substring(0, 1024) : note)
            .withReportingController(CONTROLLER)
            .withReportingInstance(instance)
            .withEventTime(
                new MicroTime(
                    DateTimeFormatter.ISO_INSTANT.format(
                        status.clock().instant().truncatedTo(ChronoUnit.MICROS))))
            .build();
    try {
      client.events().v1().events().inNamespace(namespace).resource(event).create();
    } catch (RuntimeException e) {
      LOG.warn("could not publish event {} {}: {}", reason, note, e.getMessage());
    }
  }
}
