package dev.stasis.api.v1alpha1;

import dev.stasis.api.Stasis;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Checkpoints of a pod or workload taken on a cron schedule, with retention; optionally also when
 * the pods' node is about to go away. The object to keep in Git.
 */
@Group(Stasis.GROUP)
@Version(Stasis.VERSION)
@Kind("CheckpointSchedule")
@Plural("checkpointschedules")
@Singular("checkpointschedule")
@ShortNames("cksched")
@Categories(Stasis.CATEGORY)
@AdditionalPrinterColumn(name = "SCHEDULE", jsonPath = ".spec.schedule")
@AdditionalPrinterColumn(name = "TARGET", jsonPath = ".status.target")
@AdditionalPrinterColumn(
    name = "LAST",
    jsonPath = ".status.lastScheduleTime",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "NEXT", jsonPath = ".status.nextScheduleTime")
@AdditionalPrinterColumn(
    name = "ACTIVE",
    jsonPath = ".status.activeCount",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class CheckpointSchedule
    extends CustomResource<CheckpointScheduleSpec, CheckpointScheduleStatus> implements Namespaced {

  @Override
  protected CheckpointScheduleSpec initSpec() {
    return new CheckpointScheduleSpec();
  }

  @Override
  protected CheckpointScheduleStatus initStatus() {
    return new CheckpointScheduleStatus();
  }
}
