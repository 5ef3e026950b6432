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

/** One checkpoint of one pod, or of every pod of a workload, kept in object storage. */
@Group(Stasis.GROUP)
@Version(Stasis.VERSION)
@Kind("Checkpoint")
@Plural("checkpoints")
@Singular("checkpoint")
@ShortNames("ckpt")
@Categories(Stasis.CATEGORY)
@AdditionalPrinterColumn(name = "POD", jsonPath = ".spec.podName")
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "SIZE", jsonPath = ".status.displaySize")
@AdditionalPrinterColumn(name = "PATH", jsonPath = ".status.path")
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "NODE", jsonPath = ".status.nodeName", priority = 1)
@AdditionalPrinterColumn(name = "STORAGE", jsonPath = ".status.storage", priority = 1)
@AdditionalPrinterColumn(name = "TARGET", jsonPath = ".status.target", priority = 1)
@AdditionalPrinterColumn(name = "SPREAD", jsonPath = ".status.spread", priority = 1)
public class Checkpoint extends CustomResource<CheckpointSpec, CheckpointStatus>
    implements Namespaced {

  @Override
  protected CheckpointSpec initSpec() {
    return new CheckpointSpec();
  }

  @Override
  protected CheckpointStatus initStatus() {
    return new CheckpointStatus();
  }
}
