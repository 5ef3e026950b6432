package dev.stasis.agent.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.agent.v1.StorageConfig;
import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.storage.CheckpointId;
import dev.stasis.storage.CheckpointManifest;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.CheckpointWriter;
import dev.stasis.storage.IntegrityException;
import dev.stasis.storage.NoSuchObjectException;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import dev.stasis.storage.TransferOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/** {@link CheckpointStore} on the storage engine's {@link CheckpointRepository}. */
public class EngineCheckpointStore implements CheckpointStore {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StorageLocations locations;
  private final TransferOptions options;

  public EngineCheckpointStore(StorageLocations locations, TransferOptions options) {
    this.locations = locations;
    this.options = options;
  }

  /** Storage as the agent's environment configures it, with the engine's default transfers. */
  public static EngineCheckpointStore fromEnvironment() {
    return new EngineCheckpointStore(
        new StorageLocations(System.getenv()), TransferOptions.defaults());
  }

  @Override
  public Sink create(
      String destination, StorageConfig storage, Compression compression, Key key, String node)
      throws IOException {
    StorageLocation location = locations.open(destination, storage);
    CheckpointRepository repo =
        new CheckpointRepository(location, options.withCompression(compression));
    CheckpointWriter writer;
    try {
      writer =
          repo.start(new CheckpointId(key.namespace(), key.pod(), key.name(), key.uid()), node);
    } catch (RuntimeException e) {
      repo.close();
      throw new IOException(e.getMessage(), e);
    }
    return new Sink() {
      @Override
      public URI uri() {
        return writer.uri();
      }

      @Override
      public StoredArchive putArchive(
          String container, String image, InputStream archive, long size, LongConsumer progress)
          throws IOException {
        CheckpointManifest.Container c =
            writer.putArchive(
                container, image, archive, size, (done, total) -> progress.accept(done));
        return stored(writer.uri(), c);
      }

      @Override
      public long putManifest(
          String podSpecJson, Map<String, String> podLabels, Map<String, String> podAnnotations)
          throws IOException {
        JsonNode spec =
            podSpecJson == null || podSpecJson.isBlank() ? null : JSON.readTree(podSpecJson);
        CheckpointManifest m =
            writer.commit(spec, CheckpointManifest.PodMetadata.of(podLabels, podAnnotations));
        return m.toJson().length;
      }

      @Override
      public List<String> membersMissing() {
        return writer.membersMissing();
      }

      @Override
      public void discard() {
        writer.abort();
      }

      @Override
      public void close() {
        repo.close();
      }
    };
  }

  static StoredArchive stored(URI dir, CheckpointManifest.Container c) {
    String base = dir.toString();
    return new StoredArchive(
        c.name(),
        c.image(),
        (base.endsWith("/") ? base : base + "/") + c.object(),
        c.compression().value(),
        c.archiveBytes(),
        c.storedBytes(),
        c.sha256());
  }

  /** The storage root a checkpoint directory lives under: its URI less ns/pod/name-uid8. */
  static String rootOf(URI checkpointDir) throws IOException {
    StorageUri u = StorageUri.of(checkpointDir);
    String path = u.path();
    if (path.endsWith("/" + CheckpointManifest.FILE_NAME)) {
      path = path.substring(0, path.length() - CheckpointManifest.FILE_NAME.length() - 1);
    }
    String[] parts = path.split("/");
    if (parts.length < 3) {
      throw new IOException(
          checkpointDir + " is not a checkpoint directory (<root>/<namespace>/<pod>/<name>-<uid>)");
    }
    String rootPath = String.join("/", java.util.Arrays.copyOf(parts, parts.length - 3));
    return u.scheme().equals("file")
        ? "file:///" + rootPath
        : u.scheme() + "://" + u.authority() + "/" + rootPath;
  }

  @Override
  public Source open(URI dir, StorageConfig storage) throws IOException {
    StorageLocation location = locations.open(rootOf(dir), storage);
    CheckpointRepository repo = new CheckpointRepository(location, options);
    CheckpointManifest manifest;
    try {
      manifest = repo.readManifest(dir);
    } catch (NoSuchObjectException e) {
      repo.close();
      throw new NotFound(e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      repo.close();
      throw e;
    }
    List<StoredArchive> archives = manifest.containers().stream().map(c -> stored(dir, c)).toList();
    return new Source() {
      @Override
      public String checkpointName() {
        return manifest.checkpoint().name();
      }

      @Override
      public String checkpointUid() {
        return manifest.checkpoint().uid();
      }

      @Override
      public List<StoredArchive> archives() {
        return archives;
      }

      @Override
      public void download(String container, Path target, LongConsumer progress)
          throws IOException {
        try {
          repo.readArchive(
              dir, manifest, container, target, (done, total) -> progress.accept(done));
        } catch (IntegrityException e) {
          throw new IntegrityFailure(e.getMessage(), e);
        }
      }

      @Override
      public void close() {
        repo.close();
      }
    };
  }

  @Override
  public void deleteAll(URI dir, StorageConfig storage) throws IOException {
    try (CheckpointRepository repo =
        new CheckpointRepository(locations.open(rootOf(dir), storage), options)) {
      repo.delete(dir);
    }
  }
}
