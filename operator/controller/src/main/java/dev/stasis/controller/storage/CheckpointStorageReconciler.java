package dev.stasis.controller.storage;

import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.CheckpointStorageStatus;
import dev.stasis.api.v1alpha1.StoragePhase;
import dev.stasis.controller.Services;
import dev.stasis.controller.status.FirstStatus;
import dev.stasis.controller.status.Reasons;
import dev.stasis.controller.status.StatusPatch;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates CheckpointStorages and checks they are reachable, on every change and then every few
 * minutes: phase Available or Unavailable with the reason. Only one storage may be the default: the
 * oldest keeps it, the later ones are Unavailable with reason DuplicateDefault. An Available
 * storage is also synced: checkpoints in it that have no resource here are imported.
 */
@ControllerConfiguration(name = CheckpointStorageReconciler.NAME)
public class CheckpointStorageReconciler implements Reconciler<CheckpointStorage> {
  public static final String NAME = "checkpointstorage";
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStorageReconciler.class);

  private final Services services;
  private final StorageSync sync;

  public CheckpointStorageReconciler(Services services) {
    this.services = services;
    this.sync = new StorageSync(services);
  }

  @Override
  public UpdateControl<CheckpointStorage> reconcile(
      CheckpointStorage storage, Context<CheckpointStorage> context) {
    StoragePhase before = storage.getStatus() == null ? null : storage.getStatus().getPhase();
    CheckpointStorageStatus status = copy(storage);
    Long generation = storage.getMetadata().getGeneration();
    var factory = services.status();
    status.setType(storage.getSpec().backendType());
    status.setUrl(StorageResolver.rootUri(storage));
    status.setLastValidated(factory.timestamp());

    Optional<String> invalid = problems(storage.getSpec());
    String failReason = null;
    String failMessage = null;
    StorageLocation location = null;
    if (invalid.isPresent()) {
      failReason = Reasons.INVALID_CONFIG;
      failMessage = invalid.get();
    } else if (Boolean.TRUE.equals(storage.getSpec().getIsDefault())) {
      var all = services.client().resources(CheckpointStorage.class).list().getItems();
      Optional<CheckpointStorage> first = StorageSelector.defaultStorage(all);
      if (first.isPresent()
          && !first.get().getMetadata().getName().equals(storage.getMetadata().getName())) {
        failReason = Reasons.DUPLICATE_DEFAULT;
        failMessage =
            "CheckpointStorage '"
                + first.get().getMetadata().getName()
                + "' is already the default (it is older); set default: false on one of them";
      }
    }
    if (failReason == null) {
      try {
        location = services.resolver().resolve(storage);
      } catch (StorageUnavailableException e) {
        failReason = e.reason();
        failMessage = e.getMessage();
      }
    }
    var conditions = status.getConditions();
    if (failReason != null) {
      conditions =
          factory.set(conditions, Reasons.VALIDATED, false, failReason, failMessage, generation);
    } else {
      conditions =
          factory.set(
              conditions,
              Reasons.VALIDATED,
              true,
              Reasons.AVAILABLE,
              "configuration is valid",
              generation);
      try {
        services.catalog().probe(location);
        conditions =
            factory.set(
                conditions,
                Reasons.REACHABLE,
                true,
                Reasons.AVAILABLE,
                "reachable at " + status.getUrl(),
                generation);
      } catch (CatalogException e) {
        failReason = Reasons.UNREACHABLE;
        failMessage = status.getUrl() + " is not reachable: " + e.getMessage();
        conditions =
            factory.set(conditions, Reasons.REACHABLE, false, failReason, failMessage, generation);
      }
    }
    if (failReason != null) {
      status.setPhase(StoragePhase.Unavailable);
      status.setMessage(failMessage);
      conditions =
          factory.set(conditions, Reasons.READY, false, failReason, failMessage, generation);
    } else {
      status.setPhase(StoragePhase.Available);
      status.setMessage("available at " + status.getUrl());
      conditions =
          factory.set(
              conditions, Reasons.READY, true, Reasons.AVAILABLE, status.getMessage(), generation);
    }
    status.setConditions(conditions);
    if (before != status.getPhase()) {
      LOG.info("phase {} -> {}: {}", before, status.getPhase(), status.getMessage());
      if (status.getPhase() == StoragePhase.Available) {
        services.events().normal(storage, "Available", "Validate", status.getMessage());
      } else {
        services.events().warning(storage, failReason, "Validate", failMessage);
      }
    }
    if (status.getPhase() == StoragePhase.Available) {
      try {
        sync.sync(storage.getMetadata().getName(), location);
      } catch (CatalogException | RuntimeException e) {
        LOG.warn("sync of {} failed: {}", status.getUrl(), e.getMessage());
      }
    }
    if (before == null) {
      FirstStatus.write(services.client(), storage, status);
      return UpdateControl.<CheckpointStorage>noUpdate()
          .rescheduleAfter(services.settings().storageCheckInterval());
    }
    return UpdateControl.patchStatus(StatusPatch.of(storage, status, CheckpointStorage::new))
        .rescheduleAfter(services.settings().storageCheckInterval());
  }

  @Override
  public ErrorStatusUpdateControl<CheckpointStorage> updateErrorStatus(
      CheckpointStorage storage, Context<CheckpointStorage> context, Exception e) {
    CheckpointStorageStatus status = copy(storage);
    status.setType(storage.getSpec().backendType());
    status.setUrl(StorageResolver.rootUri(storage));
    status.setLastValidated(services.status().timestamp());
    status.setPhase(StoragePhase.Unavailable);
    status.setMessage("cannot validate: " + e.getMessage());
    status.setConditions(
        services
            .status()
            .set(
                status.getConditions(),
                Reasons.READY,
                false,
                "ReconcileError",
                status.getMessage(),
                storage.getMetadata().getGeneration()));
    if (storage.getStatus() == null || storage.getStatus().getPhase() == null) {
      FirstStatus.write(services.client(), storage, status);
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(
        StatusPatch.of(storage, status, CheckpointStorage::new));
  }

  /** Defence in depth for what the CRD's schema and CEL rules also check. */
  static Optional<String> problems(CheckpointStorageSpec spec) {
    List<String> problems = new ArrayList<>();
    int backends =
        (spec.getS3() != null ? 1 : 0)
            + (spec.getGcs() != null ? 1 : 0)
            + (spec.getFilesystem() != null ? 1 : 0)
            + (spec.getReplicated() != null ? 1 : 0);
    if (backends != 1) {
      problems.add(
          "exactly one of s3, gcs, filesystem or replicated must be set (found " + backends + ")");
    }
    if (spec.getS3() != null
        && (spec.getS3().getBucket() == null || spec.getS3().getBucket().isBlank())) {
      problems.add("s3.bucket is required");
    }
    if (spec.getGcs() != null
        && (spec.getGcs().getBucket() == null || spec.getGcs().getBucket().isBlank())) {
      problems.add("gcs.bucket is required");
    }
    if (spec.getFilesystem() != null
        && (spec.getFilesystem().getPath() == null
            || !spec.getFilesystem().getPath().startsWith("/"))) {
      problems.add("filesystem.path must be an absolute path");
    }
    if (spec.getReplicated() != null) {
      var members = spec.getReplicated().getMembers();
      if (members == null || members.size() < 2) {
        problems.add("replicated.members needs at least 2 storages");
      } else {
        if (members.stream().distinct().count() != members.size()) {
          problems.add("replicated.members must not repeat");
        }
        Integer quorum = spec.getReplicated().getWriteQuorum();
        if (quorum != null && (quorum < 1 || quorum > members.size())) {
          problems.add("replicated.writeQuorum must be between 1 and the number of members");
        }
      }
    }
    if (spec.getPriority() != null && (spec.getPriority() < 0 || spec.getPriority() > 1000)) {
      problems.add("priority must be between 0 and 1000");
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }

  private static CheckpointStorageStatus copy(CheckpointStorage storage) {
    CheckpointStorageStatus status =
        storage.getStatus() == null
            ? new CheckpointStorageStatus()
            : Serialization.clone(storage.getStatus());
    status.setObservedGeneration(storage.getMetadata().getGeneration());
    return status;
  }
}
