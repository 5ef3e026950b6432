package dev.stasis.api.v1alpha1;

import dev.stasis.api.Stasis;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** Where checkpoints go (cluster scoped). */
@Group(Stasis.GROUP)
@Version(Stasis.VERSION)
@Kind("CheckpointStorage")
@Plural("checkpointstorages")
@Singular("checkpointstorage")
@ShortNames("ckstore")
@Categories(Stasis.CATEGORY)
@AdditionalPrinterColumn(name = "TYPE", jsonPath = ".status.type")
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "DEFAULT",
    jsonPath = ".spec.default",
    type = AdditionalPrinterColumn.Type.BOOLEAN)
@AdditionalPrinterColumn(name = "URL", jsonPath = ".status.url", priority = 1)
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class CheckpointStorage
    extends CustomResource<CheckpointStorageSpec, CheckpointStorageStatus> {

  @Override
  protected CheckpointStorageSpec initSpec() {
    return new CheckpointStorageSpec();
  }

  @Override
  protected CheckpointStorageStatus initStatus() {
    return new CheckpointStorageStatus();
  }
}
