package dev.stasis.storage;

import java.net.URI;

/**
 * A store and a key prefix in it: where one CheckpointStorage (or one {@code --dir}) keeps its
 * checkpoints. Closing it closes the store.
 *
 * @param store the store
 * @param prefix key prefix without leading or trailing slash; empty for the store's root
 */
public record StorageLocation(ObjectStore store, String prefix) implements AutoCloseable {
  public StorageLocation {
    prefix = prefix == null ? "" : StorageUri.parse("s3://x/" + prefix).path();
  }

  /** The key of {@code relative} under the prefix. */
  public String key(String relative) {
    return prefix.isEmpty() ? relative : prefix + "/" + relative;
  }

  /** The key of {@code key} relative to the prefix, or null if it is not under it. */
  public String relative(String key) {
    if (prefix.isEmpty()) {
      return key;
    }
    return key.startsWith(prefix + "/") ? key.substring(prefix.length() + 1) : null;
  }

  public URI uri() {
    return store.uri(prefix);
  }

  public URI uri(String relative) {
    return store.uri(key(relative));
  }

  @Override
  public void close() {
    store.close();
  }
}
