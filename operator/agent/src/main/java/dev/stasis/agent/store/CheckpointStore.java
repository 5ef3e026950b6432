package dev.stasis.agent.store;

import dev.stasis.agent.v1.StorageConfig;
import dev.stasis.api.v1alpha1.Compression;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * What the agent needs from the storage engine, in its own words: stream archives into a checkpoint
 * directory and write its manifest last; read a checkpoint back, verified; delete what a failed
 * checkpoint left. {@link EngineCheckpointStore} implements it with dev.stasis.storage.
 */
public interface CheckpointStore {
  /**
   * Opens a new checkpoint for writing under {@code destination} (a storage root such as {@code
   * s3://bucket/prefix}); its directory is {@code <destination>/<ns>/<pod>/<name>-<uid8>}.
   */
  Sink create(
      String destination, StorageConfig storage, Compression compression, Key key, String node)
      throws IOException;

  /** Which checkpoint: the Checkpoint's namespace, name and UID, and the pod's name. */
  record Key(String namespace, String pod, String name, String uid) {}

  /** Opens the checkpoint at {@code dir} (its manifest must exist). */
  Source open(URI dir, StorageConfig storage) throws IOException;

  /** Deletes every object under the checkpoint directory (partial or not). */
  void deleteAll(URI dir, StorageConfig storage) throws IOException;

  /** What was read is not what was written (size or SHA-256 mismatch, corrupt stream). */
  class IntegrityFailure extends IOException {
    public IntegrityFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The checkpoint (its manifest) does not exist. */
  class NotFound extends IOException {
    public NotFound(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** One container's archive as stored. */
  record StoredArchive(
      String container,
      String image,
      String objectUri,
      String compression,
      long archiveBytes,
      long storedBytes,
      String sha256) {}

  /** A checkpoint being written. Thread-confined: one job uses it. */
  interface Sink extends AutoCloseable {
    /** The checkpoint directory's URI. */
    URI uri();

    /**
     * Streams the archive (read to its end, not closed; {@code size} bytes if known, else -1) into
     * {@code <dir>/<container>.tar<ext>}; {@code progress} gets the archive bytes read so far.
     * Interrupting the thread aborts the upload.
     */
    StoredArchive putArchive(
        String container, String image, InputStream archive, long size, LongConsumer progress)
        throws IOException, InterruptedException;

    /**
     * Writes manifest.json with the pod spec (JSON, may be empty), the pod's labels and annotations
     * ({@code podMetadata}; left out when both are empty) and the archives put so far: the
     * checkpoint exists from then on. Returns the manifest's stored size.
     */
    long putManifest(
        String podSpecJson, Map<String, String> podLabels, Map<String, String> podAnnotations)
        throws IOException;

    /** {@link #putManifest(String, Map, Map)} without the pod's labels and annotations. */
    default long putManifest(String podSpecJson) throws IOException {
      return putManifest(podSpecJson, Map.of(), Map.of());
    }

    /**
     * After {@link #putManifest}: the members of a replicated storage that missed the checkpoint
     * (the write quorum held without them); empty otherwise.
     */
    default List<String> membersMissing() {
      return List.of();
    }

    /** Deletes every object written so far and aborts uploads in progress. Never throws. */
    void discard();

    @Override
    void close();
  }

  /** A stored checkpoint. */
  interface Source extends AutoCloseable {
    String checkpointName();

    String checkpointUid();

    List<StoredArchive> archives();

    /**
     * Downloads and decompresses one container's archive to {@code target}, checking its size and
     * SHA-256 against the manifest (an {@link IntegrityFailure} if they differ). The target appears
     * only once verified.
     */
    void download(String container, Path target, LongConsumer progress)
        throws IOException, InterruptedException;

    @Override
    void close();
  }
}
