package dev.stasis.storage;

import dev.stasis.storage.replicated.ReplicatedObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints in one storage location, laid out as
 *
 * <pre>
 * &lt;prefix&gt;/&lt;namespace&gt;/&lt;pod&gt;/&lt;checkpoint&gt;-&lt;uid 8 chars&gt;/
 *     &lt;container&gt;.tar.zst   one archive per container (.lz4, .gz, or none)
 *     manifest.json          written last: a checkpoint exists iff its manifest does
 * </pre>
 *
 * The agent writes ({@link #start}, {@link CheckpointWriter#putArchive}, {@link
 * CheckpointWriter#commit}) and reads archives back ({@link #readArchive}); the operator lists
 * ({@link #list}), reads manifests ({@link #readManifest}) and deletes ({@link #delete}).
 */
public final class CheckpointRepository implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointRepository.class);

  private final StorageLocation location;
  private final TransferOptions options;
  private final Clock clock;

  public CheckpointRepository(StorageLocation location, TransferOptions options) {
    this(location, options, Clock.systemUTC());
  }

  public CheckpointRepository(StorageLocation location, TransferOptions options, Clock clock) {
    this.location = location;
    this.options = options;
    this.clock = clock;
  }

  public StorageLocation location() {
    return location;
  }

  public TransferOptions options() {
    return options;
  }

  /** Starts writing a checkpoint; nothing exists in storage until {@code commit}. */
  public CheckpointWriter start(CheckpointId id, String node) {
    return new CheckpointWriter(this, id, node, clock.instant());
  }

  /** Starts writing a checkpoint with an explicit creation time. */
  public CheckpointWriter start(CheckpointId id, String node, Instant createdAt) {
    return new CheckpointWriter(this, id, node, createdAt);
  }

  /** The URI of a checkpoint's directory. */
  public URI uriOf(CheckpointId id) {
    return location.uri(id.directory());
  }

  /**
   * The checkpoint's directory key (relative to the store root) for a checkpoint URI or a manifest
   * URI within this location.
   */
  String directoryKey(URI uri) throws StorageException {
    StorageUri want = StorageUri.of(uri);
    StorageUri root = StorageUri.of(location.store().uri(""));
    if (!want.scheme().equals(root.scheme()) || !want.authority().equals(root.authority())) {
      throw new StorageException(uri + " is not in " + location.uri());
    }
    String path = want.path();
    if (root.scheme().equals("file")) {
      String rootPath = root.path();
      if (!rootPath.isEmpty()) {
        if (!path.startsWith(rootPath + "/")) {
          throw new StorageException(uri + " is not in " + location.uri());
        }
        path = path.substring(rootPath.length() + 1);
      }
    }
    if (path.endsWith("/" + CheckpointManifest.FILE_NAME)) {
      path = path.substring(0, path.length() - CheckpointManifest.FILE_NAME.length() - 1);
    }
    return path;
  }

  /** Reads the manifest of the checkpoint at {@code uri} (its directory or its manifest). */
  public CheckpointManifest readManifest(URI uri) throws IOException {
    String dir = directoryKey(uri);
    String key = dir + "/" + CheckpointManifest.FILE_NAME;
    byte[] json;
    try {
      json = location.store().readAll(key);
    } catch (NoSuchObjectException e) {
      throw new NoSuchObjectException(
          "no checkpoint at "
              + location.store().uri(dir)
              + " (no "
              + CheckpointManifest.FILE_NAME
              + ")");
    }
    return CheckpointManifest.parse(json, location.store().uri(key).toString());
  }

  /** Checkpoints of a namespace, newest first; only those with a manifest. */
  public List<CheckpointEntry> list(String namespace) throws IOException {
    return list(namespace, null);
  }

  /** Checkpoints of a pod ({@code pod} null: of the whole namespace), newest first. */
  public List<CheckpointEntry> list(String namespace, String pod) throws IOException {
    String rel = pod == null ? namespace + "/" : namespace + "/" + pod + "/";
    String prefix = location.key(rel);
    int depth = pod == null ? 3 : 2; // <pod>/<dir>/manifest.json or <dir>/manifest.json
    List<String> manifests = new ArrayList<>();
    for (ObjectInfo o : location.store().list(prefix)) {
      String tail = o.key().substring(prefix.length());
      if (tail.endsWith("/" + CheckpointManifest.FILE_NAME) && tail.split("/").length == depth) {
        manifests.add(o.key());
      }
    }
    List<CheckpointEntry> out = new ArrayList<>();
    ExecutorService pool = Threads.pool("stasis-list", Math.min(8, Math.max(1, manifests.size())));
    try {
      List<Future<CheckpointEntry>> futures = new ArrayList<>();
      for (String key : manifests) {
        futures.add(
            pool.submit(
                () -> {
                  String dir =
                      key.substring(0, key.length() - CheckpointManifest.FILE_NAME.length() - 1);
                  try {
                    byte[] json = location.store().readAll(key);
                    return new CheckpointEntry(
                        location.store().uri(dir),
                        CheckpointManifest.parse(json, location.store().uri(key).toString()));
                  } catch (NoSuchObjectException e) {
                    return null; // deleted meanwhile
                  } catch (IntegrityException e) {
                    LOG.warn("skipping {}: {}", location.store().uri(key), e.getMessage());
                    return null;
                  }
                }));
      }
      for (Future<CheckpointEntry> f : futures) {
        CheckpointEntry e = f.get();
        if (e != null) {
          out.add(e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      throw Pipeline.asIoException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    out.sort(
        Comparator.comparing(
                (CheckpointEntry e) -> e.manifest().createdAt(),
                Comparator.nullsLast(Comparator.reverseOrder()))
            .thenComparing(e -> e.uri().toString()));
    return out;
  }

  /**
   * Reads a container's archive, verified, into {@code target}. The bytes go to a temporary file
   * beside it that is moved into place only after the sizes and SHA-256 matched the manifest; on
   * any failure the temporary file is deleted and {@code target} is untouched. With the replicated
   * store, a member whose copy fails verification is skipped for the next one that holds it.
   */
  public DownloadResult readArchive(
      URI checkpoint, String container, Path target, ProgressListener progress) throws IOException {
    CheckpointManifest m = readManifest(checkpoint);
    return readArchive(checkpoint, m, container, target, progress);
  }

  /** As {@link #readArchive(URI, String, Path, ProgressListener)} with a manifest at hand. */
  public DownloadResult readArchive(
      URI checkpoint,
      CheckpointManifest manifest,
      String container,
      Path target,
      ProgressListener progress)
      throws IOException {
    CheckpointManifest.Container c = manifest.container(container);
    if (c == null) {
      throw new NoSuchObjectException(
          "checkpoint " + checkpoint + " has no container " + container);
    }
    String key = directoryKey(checkpoint) + "/" + c.object();
    if (location.store() instanceof ReplicatedObjectStore r) {
      IOException last = null;
      for (ReplicatedObjectStore.Member m : r.readOrder()) {
        String memberKey = m.location().key(key);
        try {
          return toFile(m.location().store(), memberKey, c, target, progress);
        } catch (NoSuchObjectException e) {
          last = e;
        } catch (IOException e) {
          LOG.warn("reading {} from member {} failed: {}", key, m.name(), e.getMessage());
          last = e;
        }
      }
      throw last != null ? last : new NoSuchObjectException(location.store().uri(key));
    }
    return toFile(location.store(), key, c, target, progress);
  }

  private DownloadResult toFile(
      ObjectStore store,
      String key,
      CheckpointManifest.Container c,
      Path target,
      ProgressListener progress)
      throws IOException {
    return downloadVerified(store, key, c.compression(), c.expected(), target, options, progress);
  }

  /**
   * Downloads {@code key} into {@code target} through a temporary file in the same directory,
   * renamed into place only after verification.
   */
  public static DownloadResult downloadVerified(
      ObjectStore store,
      String key,
      dev.stasis.api.v1alpha1.Compression compression,
      Expected expected,
      Path target,
      TransferOptions options,
      ProgressListener progress)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial");
    boolean ok = false;
    try {
      DownloadResult r;
      // WRITE only: the file is new and empty. Opening it with TRUNCATE_EXISTING (what
      // Files.newOutputStream does) would truncate it, and ext4 (auto_da_alloc) then allocates
      // and flushes every delayed block when it is closed: a third of a second per GiB, for
      // nothing. A channel, so that frames go from direct buffers to the file without a copy.
      try (java.nio.channels.FileChannel out =
          java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        r = ArchiveDownloader.download(store, key, compression, expected, out, options, progress);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      ok = true;
      return r;
    } finally {
      if (!ok) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Verifies every archive of a checkpoint without keeping the data. */
  public List<DownloadResult> verify(URI checkpoint, ProgressListener progress) throws IOException {
    CheckpointManifest m = readManifest(checkpoint);
    String dir = directoryKey(checkpoint);
    List<DownloadResult> out = new ArrayList<>();
    for (CheckpointManifest.Container c : m.containers()) {
      out.add(
          ArchiveDownloader.download(
              location.store(),
              dir + "/" + c.object(),
              c.compression(),
              c.expected(),
              OutputStream.nullOutputStream(),
              options,
              progress));
    }
    return out;
  }

  /**
   * Deletes a checkpoint: the manifest first (from then on it does not exist), then every other
   * object in its directory, then the uploads into it that never completed (a writer that died
   * mid-upload). Deleting a checkpoint that is gone is not an error; a partial checkpoint (no
   * manifest) is deleted the same way.
   */
  public void delete(URI checkpoint) throws IOException {
    String dir = directoryKey(checkpoint);
    location.store().delete(dir + "/" + CheckpointManifest.FILE_NAME);
    for (ObjectInfo o : location.store().list(dir + "/")) {
      location.store().delete(o.key());
    }
    int aborted = location.store().abortUploads(dir + "/");
    if (aborted > 0) {
      LOG.info("discarded {} unfinished upload(s) under {}", aborted, location.store().uri(dir));
    }
  }

  @Override
  public void close() {
    location.close();
  }
}
