package dev.stasis.controller.storage;

import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.controller.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a CheckpointStorage: its configuration (what the CRD's schema and CEL rules also check,
 * and that it is the only default), that it resolves (its credentials exist), and that it is
 * reachable with them.
 */
final class StorageChecker {
  private final Storages storages;

  StorageChecker(Storages storages) {
    this.storages = storages;
  }

  StorageCheck check(CheckpointStorage storage) {
    Optional<String> invalid = problems(storage.getSpec());
    if (invalid.isPresent()) {
      return StorageCheck.invalid(Reasons.INVALID_CONFIG, invalid.get());
    }
    if (Boolean.TRUE.equals(storage.getSpec().getIsDefault())) {
      Optional<CheckpointStorage> first = StorageSelector.defaultStorage(storages.all());
      if (first.isPresent()
          && !first.get().getMetadata().getName().equals(storage.getMetadata().getName())) {
        return StorageCheck.invalid(
            Reasons.DUPLICATE_DEFAULT,
            "CheckpointStorage '"
                + first.get().getMetadata().getName()
                + "' is already the default (it is older); set default: false on one of them");
      }
    }
    StorageLocation location;
    try {
      location = storages.resolver().resolve(storage);
    } catch (StorageUnavailableException e) {
      return StorageCheck.invalid(e.reason(), e.getMessage());
    }
    try {
      storages.catalog().probe(location);
    } catch (CatalogException e) {
      return StorageCheck.unreachable(
          Reasons.UNREACHABLE,
          StorageResolver.rootUri(storage) + " is not reachable: " + e.getMessage());
    }
    return StorageCheck.available(location);
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
}
