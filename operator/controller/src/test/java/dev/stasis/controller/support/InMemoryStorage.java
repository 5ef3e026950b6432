package dev.stasis.controller.support;

import dev.stasis.controller.storage.CatalogException;
import dev.stasis.controller.storage.CheckpointCatalog;
import dev.stasis.controller.storage.StorageLocation;
import dev.stasis.controller.storage.StoredCheckpoint;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Object storage for tests, shared by the simulated agents (which write manifests) and the
 * operators (which list, read and delete them): checkpoints by directory URI. Roots can be made
 * unreachable.
 */
public final class InMemoryStorage implements CheckpointCatalog {
  private final Map<String, StoredCheckpoint> checkpoints = new ConcurrentHashMap<>();
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
  public final List<String> deleted = new CopyOnWriteArrayList<>();

  public void put(StoredCheckpoint checkpoint) {
    checkpoints.put(checkpoint.uri(), checkpoint);
  }

  /** The checkpoint at a directory URI, as an agent wrote it. */
  public Optional<StoredCheckpoint> get(String uri) {
    return Optional.ofNullable(checkpoints.get(uri));
  }

  public boolean contains(String uri) {
    return checkpoints.containsKey(uri);
  }

  public void makeUnreachable(String root) {
    unreachable.add(root);
  }

  private void check(StorageLocation location) throws CatalogException {
    for (String root : unreachable) {
      if (location.rootUri().startsWith(root)) {
        throw new CatalogException("connection refused (" + root + ")");
      }
    }
  }

  @Override
  public List<StoredCheckpoint> list(StorageLocation location, String namespace)
      throws CatalogException {
    check(location);
    String prefix =
        location.rootUri().endsWith("/") ? location.rootUri() : location.rootUri() + "/";
    return checkpoints.values().stream()
        .filter(c -> c.uri().startsWith(prefix) && namespace.equals(c.namespace()))
        .sorted(Comparator.comparing(StoredCheckpoint::createdAt).reversed())
        .toList();
  }

  @Override
  public Optional<StoredCheckpoint> read(StorageLocation location, String checkpointUri)
      throws CatalogException {
    check(location);
    return Optional.ofNullable(checkpoints.get(checkpointUri));
  }

  @Override
  public void delete(StorageLocation location, String checkpointUri) throws CatalogException {
    check(location);
    checkpoints.remove(checkpointUri);
    deleted.add(checkpointUri);
  }

  @Override
  public void probe(StorageLocation location) throws CatalogException {
    check(location);
  }
}
