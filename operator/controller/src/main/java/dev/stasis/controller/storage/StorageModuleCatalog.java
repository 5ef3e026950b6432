package dev.stasis.controller.storage;

import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.SecretRef;
import dev.stasis.controller.agent.StorageConfig;
import dev.stasis.storage.CheckpointEntry;
import dev.stasis.storage.CheckpointManifest;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.NoSuchObjectException;
import dev.stasis.storage.StorageUri;
import dev.stasis.storage.StoreFactory;
import dev.stasis.storage.TransferOptions;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The catalog on the storage module: opens the location's store from the CheckpointStorage spec and
 * the credentials the operator read (or, for a bare URI, with the ambient credentials), and uses
 * its {@link CheckpointRepository} to list, read and delete checkpoints.
 */
public final class StorageModuleCatalog implements CheckpointCatalog {
  @Override
  public List<StoredCheckpoint> list(StorageLocation location, String namespace)
      throws CatalogException {
    try (CheckpointRepository repo = open(location)) {
      List<StoredCheckpoint> out = new ArrayList<>();
      for (CheckpointEntry e : repo.list(namespace)) {
        out.add(toStored(e.uri(), e.manifest()));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new CatalogException("cannot list " + location.rootUri() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<StoredCheckpoint> read(StorageLocation location, String checkpointUri)
      throws CatalogException {
    try (CheckpointRepository repo = open(location)) {
      URI uri = URI.create(checkpointUri);
      return Optional.of(toStored(uri, repo.readManifest(uri)));
    } catch (NoSuchObjectException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      throw new CatalogException("cannot read " + checkpointUri + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void delete(StorageLocation location, String checkpointUri) throws CatalogException {
    try (CheckpointRepository repo = open(location)) {
      repo.delete(URI.create(checkpointUri));
    } catch (IOException | RuntimeException e) {
      throw new CatalogException("cannot delete " + checkpointUri + ": " + e.getMessage(), e);
    }
  }

  /**
   * Lists the root: proves the endpoint, the bucket and the credentials. A filesystem storage is a
   * path on the nodes, which the operator usually does not mount: it is not probed from here.
   */
  @Override
  public void probe(StorageLocation location) throws CatalogException {
    if ("file".equals(location.scheme())) {
      return;
    }
    try (CheckpointRepository repo = open(location)) {
      repo.location().store().list(repo.location().key(""));
    } catch (IOException | RuntimeException e) {
      throw new CatalogException(e.getMessage(), e);
    }
  }

  private static CheckpointRepository open(StorageLocation location) {
    dev.stasis.storage.StorageLocation opened;
    StorageConfig config = location.config();
    if (config.specJson().isEmpty()) {
      opened =
          StoreFactory.open(StorageUri.parse(location.rootUri()), new StoreFactory.UriSettings());
    } else {
      Map<String, StorageConfig> byName = new LinkedHashMap<>();
      byName.put(config.name(), config);
      config.members().forEach(m -> byName.put(m.name(), m));
      StoreFactory.Context ctx =
          StoreFactory.context(
              ref -> secretOf(byName.values(), ref), name -> spec(byName.get(name)));
      opened = StoreFactory.open(config.name(), spec(config), ctx);
      if (!location.rootUri().equals(StorageResolver.rootUri(config.name(), spec(config)))) {
        // A dir under a replicated storage (stasis://name/prefix): that prefix within it.
        String extra = StorageUri.parse(location.rootUri()).path();
        opened =
            new dev.stasis.storage.StorageLocation(opened.store(), join(opened.prefix(), extra));
      }
    }
    return new CheckpointRepository(opened, TransferOptions.defaults());
  }

  private static String join(String a, String b) {
    String x = a == null ? "" : a.replaceAll("^/+|/+$", "");
    String y = b == null ? "" : b.replaceAll("^/+|/+$", "");
    return x.isEmpty() ? y : y.isEmpty() ? x : x + "/" + y;
  }

  private static CheckpointStorageSpec spec(StorageConfig config) {
    return config == null
        ? null
        : Serialization.unmarshal(config.specJson(), CheckpointStorageSpec.class);
  }

  /** The credentials of whichever storage (the location's or a member) names this Secret. */
  private static Map<String, String> secretOf(Iterable<StorageConfig> configs, SecretRef ref) {
    for (StorageConfig c : configs) {
      CheckpointStorageSpec s = spec(c);
      SecretRef own =
          s.getS3() != null
              ? s.getS3().getCredentialsSecret()
              : s.getGcs() != null ? s.getGcs().getCredentialsSecret() : null;
      if (own != null
          && own.getName().equals(ref.getName())
          && Objects.equals(own.getNamespace(), ref.getNamespace())) {
        Map<String, String> out = new LinkedHashMap<>();
        c.credentials().forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
        return out;
      }
    }
    return Map.of();
  }

  static StoredCheckpoint toStored(URI uri, CheckpointManifest m) {
    List<StoredCheckpoint.StoredContainer> containers = new ArrayList<>();
    String base = uri.toString().endsWith("/") ? uri.toString() : uri + "/";
    for (CheckpointManifest.Container c : m.containers()) {
      containers.add(
          new StoredCheckpoint.StoredContainer(
              c.name(),
              c.image(),
              base + c.object(),
              c.compression() == null ? null : c.compression().value(),
              c.archiveBytes(),
              c.storedBytes(),
              c.sha256()));
    }
    var id = m.checkpoint();
    return new StoredCheckpoint(
        uri.toString().replaceAll("/+$", ""),
        id.namespace(),
        id.pod(),
        null,
        id.name(),
        id.uid(),
        m.node(),
        m.createdAt(),
        m.podSpec() == null ? null : m.podSpec().toString(),
        m.podMetadataOrEmpty().labels(),
        m.podMetadataOrEmpty().annotations(),
        containers);
  }
}
