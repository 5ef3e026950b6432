package dev.stasis.controller.schedule;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointPhase;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.controller.status.StatusFactory;
import dev.stasis.controller.util.Names;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The Checkpoints of one schedule, newest run first: those labelled with it and owned by this very
 * schedule (a schedule deleted and created again under its name does not adopt the old ones).
 */
record ScheduledCheckpoints(List<Checkpoint> all) {

  /** Reads them from the API server (not a cache: a run just created must be seen). */
  static ScheduledCheckpoints of(KubernetesClient client, CheckpointSchedule schedule) {
    String uid = schedule.getMetadata().getUid();
    List<Checkpoint> owned =
        client
            .resources(Checkpoint.class)
            .inNamespace(schedule.getMetadata().getNamespace())
            .withLabel(Stasis.LABEL_SCHEDULE, Names.labelValue(schedule.getMetadata().getName()))
            .list()
            .getItems()
            .stream()
            .filter(
                c ->
                    c.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> uid != null && uid.equals(o.getUid())))
            .sorted(Comparator.comparing(ScheduledCheckpoints::runTime).reversed())
            .toList();
    return new ScheduledCheckpoints(owned);
  }

  /** Those not yet Completed or Failed (and not being deleted). */
  List<Checkpoint> active() {
    return all.stream().filter(c -> !finished(c) && !deleting(c)).toList();
  }

  /** The newest Completed one. */
  Optional<Checkpoint> lastSuccessful() {
    return all.stream()
        .filter(c -> c.getStatus() != null && c.getStatus().getPhase() == CheckpointPhase.Completed)
        .findFirst();
  }

  static boolean finished(Checkpoint checkpoint) {
    return checkpoint.getStatus() != null
        && checkpoint.getStatus().getPhase() != null
        && checkpoint.getStatus().getPhase().isFinal();
  }

  static boolean deleting(Checkpoint checkpoint) {
    return checkpoint.getMetadata().getDeletionTimestamp() != null;
  }

  /** The run a Checkpoint belongs to: its scheduled-time annotation, else its creation. */
  static Instant runTime(Checkpoint checkpoint) {
    var annotations = checkpoint.getMetadata().getAnnotations();
    return StatusFactory.parse(
            annotations == null ? null : annotations.get(Stasis.ANNOTATION_SCHEDULED_TIME))
        .or(() -> StatusFactory.parse(checkpoint.getMetadata().getCreationTimestamp()))
        .orElse(Instant.EPOCH);
  }
}
