package dev.stasis.storage;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The parts of one multipart upload stored so far, by part number (thread-safe), and the check
 * before it is completed that exactly parts 1 to n were stored.
 *
 * @param <P> what the store keeps of a stored part (its ETag, its length)
 */
public final class StoredParts<P> {
  private final URI uri;
  private final ConcurrentSkipListMap<Integer, P> parts = new ConcurrentSkipListMap<>();

  /** The parts of an upload to {@code uri} (named in errors). */
  public StoredParts(URI uri) {
    this.uri = uri;
  }

  public void add(int partNumber, P part) {
    parts.put(partNumber, part);
  }

  public int count() {
    return parts.size();
  }

  /** Parts 1 to {@code partCount}, in order; fails unless exactly those were stored. */
  public List<P> all(int partCount) throws StorageException {
    if (parts.size() != partCount) {
      throw new StorageException(
          uri + ": " + parts.size() + " of " + partCount + " parts were stored");
    }
    int expected = 1;
    for (int n : parts.keySet()) {
      if (n != expected) {
        throw new StorageException("part " + expected + " of " + uri + " is missing");
      }
      expected++;
    }
    return new ArrayList<>(parts.values());
  }
}
