package dev.stasis.controller.schedule;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Checkpoint;
import dev.stasis.api.v1alpha1.CheckpointSchedule;
import dev.stasis.api.v1alpha1.CheckpointScheduleSpec;
import dev.stasis.api.v1alpha1.CheckpointSpec;
import dev.stasis.api.v1alpha1.CheckpointTemplate;
import dev.stasis.controller.util.Names;
import dev.stasis.controller.util.OwnerReferences;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * The Checkpoint of one run of a schedule: named {@code <schedule>-<yyyyMMddHHmm of the run in
 * UTC>} so that a retried reconcile finds it instead of making a second one, owned by the schedule
 * (controller, blocking its deletion until cleaned up), labelled with it and annotated with the
 * run's time; its spec is the schedule's target and template.
 */
final class RunCheckpoint {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);
  private static final int MAX_NAME = 253;

  private RunCheckpoint() {}

  static String name(CheckpointSchedule schedule, Instant runTime) {
    return Names.withSuffix(schedule.getMetadata().getName(), STAMP.format(runTime), MAX_NAME);
  }

  static Checkpoint build(CheckpointSchedule schedule, Instant runTime) {
    Checkpoint checkpoint = new Checkpoint();
    checkpoint.setMetadata(
        new ObjectMetaBuilder()
            .withName(name(schedule, runTime))
            .withNamespace(schedule.getMetadata().getNamespace())
            .withLabels(
                Map.of(Stasis.LABEL_SCHEDULE, Names.labelValue(schedule.getMetadata().getName())))
            .withAnnotations(Map.of(Stasis.ANNOTATION_SCHEDULED_TIME, runTime.toString()))
            .withOwnerReferences(OwnerReferences.controller(schedule, true))
            .build());
    checkpoint.setSpec(spec(schedule.getSpec()));
    return checkpoint;
  }

  private static CheckpointSpec spec(CheckpointScheduleSpec schedule) {
    CheckpointTemplate template =
        schedule.getTemplate() == null ? new CheckpointTemplate() : schedule.getTemplate();
    CheckpointSpec spec = new CheckpointSpec();
    spec.setPodName(schedule.getPodName());
    spec.setSelector(schedule.getSelector() == null ? null : new HashMap<>(schedule.getSelector()));
    spec.setWorkloadRef(schedule.getWorkloadRef());
    spec.setContainers(
        template.getContainers() == null ? new ArrayList<>() : template.getContainers());
    spec.setStorage(template.getStorage());
    spec.setDir(template.getDir());
    if (template.getCompression() != null) {
      spec.setCompression(template.getCompression());
    }
    if (template.getDeletionPolicy() != null) {
      spec.setDeletionPolicy(template.getDeletionPolicy());
    }
    return spec;
  }
}
