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

/** Brings a checkpoint back as a new pod, on any node, in any cluster that reads the storage. */
@Group(Stasis.GROUP)
@Version(Stasis.VERSION)
@Kind("Restore")
@Plural("restores")
@Singular("restore")
@ShortNames("rst")
@Categories(Stasis.CATEGORY)
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "CHECKPOINT", jsonPath = ".status.checkpoint")
@AdditionalPrinterColumn(name = "POD", jsonPath = ".status.restoredPod")
@AdditionalPrinterColumn(
    name = "AGE",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "NODE", jsonPath = ".status.nodeName", priority = 1)
@AdditionalPrinterColumn(name = "PATH", jsonPath = ".status.path", priority = 1)
public class Restore extends CustomResource<RestoreSpec, RestoreStatus> implements Namespaced {

  @Override
  protected RestoreSpec initSpec() {
    return new RestoreSpec();
  }

  @Override
  protected RestoreStatus initStatus() {
    return new RestoreStatus();
  }
}
