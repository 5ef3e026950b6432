package dev.stasis.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One checkpoint being written: {@link #putArchive} for each container, then {@link #commit} (which
 * writes the manifest, making the checkpoint exist), or {@link #abort}. Not thread-safe across
 * containers unless the caller synchronizes; archives are uploaded with internal parallelism
 * already.
 */
public final class CheckpointWriter {
  private final CheckpointRepository repository;
  private final CheckpointId id;
  private final String node;
  private final Instant createdAt;
  private final List<CheckpointManifest.Container> containers = new ArrayList<>();
  private final List<String> written = new ArrayList<>();
  private boolean committed;
  private List<String> membersMissing = List.of();

  CheckpointWriter(
      CheckpointRepository repository, CheckpointId id, String node, Instant createdAt) {
    this.repository = repository;
    this.id = id;
    this.node = node;
    this.createdAt = createdAt;
  }

  public CheckpointId id() {
    return id;
  }

  /** The checkpoint's URI (its directory); the Checkpoint status's {@code path}. */
  public URI uri() {
    return repository.location().uri(id.directory());
  }

  /** Uploads one container's archive with the repository's transfer options. */
  public CheckpointManifest.Container putArchive(
      String container, String image, InputStream archive, long sizeHint, ProgressListener progress)
      throws IOException {
    return putArchive(container, image, archive, sizeHint, repository.options(), progress);
  }

  /**
   * Uploads one container's archive from a stream of unknown length ({@code sizeHint} -1) or known
   * length. The stream is read to its end and not closed.
   */
  public synchronized CheckpointManifest.Container putArchive(
      String container,
      String image,
      InputStream archive,
      long sizeHint,
      TransferOptions options,
      ProgressListener progress)
      throws IOException {
    if (committed) {
      throw new IllegalStateException("checkpoint " + uri() + " is already committed");
    }
    if (container == null || !container.matches(Stasis.LABEL_NAME_PATTERN)) {
      throw new IllegalArgumentException("invalid container name: '" + container + "'");
    }
    if (containers.stream().anyMatch(c -> c.name().equals(container))) {
      throw new IllegalArgumentException("container " + container + " is already in " + uri());
    }
    Compression compression = options.compression();
    String object = container + ".tar" + compression.extension();
    String key = repository.location().key(id.directory() + "/" + object);
    written.add(key);
    UploadResult r =
        ArchiveUploader.upload(
            repository.location().store(), key, archive, sizeHint, options, progress);
    CheckpointManifest.Container c =
        new CheckpointManifest.Container(
            container,
            image,
            object,
            compression,
            r.archiveBytes(),
            r.storedBytes(),
            r.sha256(),
            r.storedSha256());
    containers.add(c);
    return c;
  }

  /** The archives uploaded so far. */
  public synchronized List<CheckpointManifest.Container> containers() {
    return List.copyOf(containers);
  }

  /**
   * Writes the manifest, without the pod's labels and annotations: from here on the checkpoint
   * exists.
   *
   * @param podSpec the pod's spec to restore (JSON), may be null
   */
  public CheckpointManifest commit(JsonNode podSpec) throws IOException {
    return commit(podSpec, null);
  }

  /**
   * Writes the manifest: from here on the checkpoint exists.
   *
   * @param podSpec the pod's spec to restore (JSON), may be null
   * @param podMetadata the pod's labels and annotations, may be null (none kept)
   */
  public synchronized CheckpointManifest commit(
      JsonNode podSpec, CheckpointManifest.PodMetadata podMetadata) throws IOException {
    if (committed) {
      throw new IllegalStateException("checkpoint " + uri() + " is already committed");
    }
    if (containers.isEmpty()) {
      throw new IllegalStateException("checkpoint " + uri() + " has no container archive");
    }
    CheckpointManifest m =
        CheckpointManifest.create(id, node, createdAt, podSpec, podMetadata, containers);
    byte[] json = m.toJson();
    String key = repository.location().key(id.directory() + "/" + CheckpointManifest.FILE_NAME);
    repository.location().store().put(key, json, json.length, "application/json");
    committed = true;
    if (repository.location().store()
        instanceof dev.stasis.storage.replicated.ReplicatedObjectStore r) {
      membersMissing = r.missedUnder(repository.location().key(id.directory()));
      r.forget(repository.location().key(id.directory()));
    }
    return m;
  }

  /**
   * After {@link #commit}: the members of a replicated store that missed a write of this checkpoint
   * (the write quorum held without them), so lack it; empty for other stores. {@link
   * CheckpointReplicas#repair} copies it to them.
   */
  public synchronized List<String> membersMissing() {
    return membersMissing;
  }

  /** Deletes the archives written so far (best effort); the checkpoint never existed. */
  public synchronized void abort() {
    if (committed) {
      return;
    }
    for (String key : written) {
      try {
        repository.location().store().delete(key);
      } catch (IOException e) {
        // best effort: without a manifest these objects are not a checkpoint
      }
    }
    try {
      // An upload whose own abort failed (the store was unreachable then) is discarded here.
      repository.location().store().abortUploads(repository.location().key(id.directory()) + "/");
    } catch (IOException e) {
      // best effort, as above; CheckpointRepository.delete (rm, clean-up) discards them later
    }
    if (repository.location().store()
        instanceof dev.stasis.storage.replicated.ReplicatedObjectStore r) {
      r.forget(repository.location().key(id.directory()));
    }
  }
}
