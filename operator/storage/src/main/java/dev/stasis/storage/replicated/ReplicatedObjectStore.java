package dev.stasis.storage.replicated;

import dev.stasis.api.Stasis;
import dev.stasis.storage.NoSuchObjectException;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.ObjectReader;
import dev.stasis.storage.ObjectStore;
import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.StorageException;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global store ({@code stasis://<name>/...}): every object is written to all member stores, and
 * a write succeeds when at least {@code writeQuorum} members hold it. Reads use the first member,
 * in the configured order, that answers and holds the object; members that fail are skipped.
 *
 * <p>Checkpoints stay whole on every member: a member that failed any write under a directory (a
 * checkpoint's objects share one) is left out of every later write there, so it never receives that
 * checkpoint's manifest, and on that member the checkpoint does not exist. The repository writes
 * the manifest last, so quorum on the manifest means quorum on the whole checkpoint. The writes and
 * that bookkeeping are the {@link QuorumWriter}'s.
 */
public final class ReplicatedObjectStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedObjectStore.class);

  /** One member: its name (a CheckpointStorage name) and where it keeps this store's objects. */
  public record Member(String name, StorageLocation location) {}

  private final String name;
  private final List<Member> members;
  private final QuorumWriter writer;

  public ReplicatedObjectStore(String name, List<Member> members, int writeQuorum) {
    if (members.size() < 2) {
      throw new IllegalArgumentException("a replicated store needs at least two members");
    }
    if (writeQuorum < 1 || writeQuorum > members.size()) {
      throw new IllegalArgumentException(
          "write quorum must be between 1 and the number of members (" + members.size() + ")");
    }
    this.name = name;
    this.members = List.copyOf(members);
    this.writer = new QuorumWriter(this.members, writeQuorum, this::uri);
  }

  public String name() {
    return name;
  }

  public List<Member> members() {
    return members;
  }

  public int writeQuorum() {
    return writer.writeQuorum();
  }

  @Override
  public URI uri(String key) {
    return StorageUri.uriOf(Stasis.SCHEME_REPLICATED, name, key);
  }

  @Override
  public void put(String key, byte[] data, int length, String contentType) throws IOException {
    writer.write(
        "writing",
        key,
        (store, k) -> {
          store.put(k, data, length, contentType);
          return null;
        },
        new ArrayList<>(),
        none -> {});
  }

  @Override
  public ObjectUpload startUpload(String key, String contentType, int partSize) throws IOException {
    List<String> errors = new ArrayList<>();
    Map<Integer, ObjectUpload> live =
        writer.write(
            "starting the upload of",
            key,
            (store, k) -> store.startUpload(k, contentType, partSize),
            errors,
            ObjectUpload::abort);
    return new ReplicatedUpload(writer, key, live, errors);
  }

  private void unavailable(Member m, IOException e) {
    LOG.warn("member {} of {} is unavailable: {}", m.name(), uri(""), e.toString());
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    IOException last = null;
    int answered = 0;
    for (Member m : members) {
      try {
        Optional<ObjectInfo> o = m.location().store().stat(m.location().key(key));
        answered++;
        if (o.isPresent()) {
          return Optional.of(
              new ObjectInfo(key, o.get().size(), o.get().version(), o.get().lastModified()));
        }
      } catch (IOException e) {
        unavailable(m, e);
        last = e;
      }
    }
    if (answered == 0 && last != null) {
      throw last;
    }
    return Optional.empty();
  }

  @Override
  public ObjectReader open(String key) throws IOException {
    return fromFirstHolder(key, ObjectStore::open);
  }

  @Override
  public byte[] readAll(String key) throws IOException {
    return fromFirstHolder(key, ObjectStore::readAll);
  }

  /** Reads {@code key} from the first member, in order, that answers and holds it. */
  private <T> T fromFirstHolder(String key, QuorumWriter.StoreCall<T> read) throws IOException {
    List<String> errors = new ArrayList<>();
    for (Member m : members) {
      try {
        return read.call(m.location().store(), m.location().key(key));
      } catch (NoSuchObjectException e) {
        // try the next member
      } catch (IOException e) {
        unavailable(m, e);
        errors.add(m.name() + ": " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new StorageException(
          "no available member holds " + uri(key) + ": " + String.join("; ", errors), true, null);
    }
    throw new NoSuchObjectException(uri(key));
  }

  /** The member stores, in order, as locations of this store's keys (for member-level retries). */
  public List<Member> readOrder() {
    return members;
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    Map<String, ObjectInfo> union = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    int answered = 0;
    for (Member m : members) {
      try {
        for (ObjectInfo o : m.location().store().list(m.location().key(prefix))) {
          String rel = m.location().relative(o.key());
          if (rel != null && rel.startsWith(prefix)) {
            union.putIfAbsent(rel, new ObjectInfo(rel, o.size(), o.version(), o.lastModified()));
          }
        }
        answered++;
      } catch (IOException e) {
        unavailable(m, e);
        errors.add(m.name() + ": " + e.getMessage());
      }
    }
    if (answered == 0) {
      throw new StorageException(
          "no member of " + uri("") + " answered: " + String.join("; ", errors), true, null);
    }
    return new ArrayList<>(union.values());
  }

  /**
   * Deletes the object from every member. Fails (after trying all) if a member could not be
   * reached, so that the caller retries rather than leave a copy that would reappear.
   */
  @Override
  public void delete(String key) throws IOException {
    List<String> errors = new ArrayList<>();
    for (QuorumWriter.Outcome<Object> o :
        writer.fanOut(
            writer.all(),
            writer.onStore(
                key,
                (store, k) -> {
                  store.delete(k);
                  return null;
                }))) {
      if (o.failure() != null) {
        errors.add(writer.failure(o.member(), o.failure()));
      }
    }
    if (key.endsWith("/manifest.json")) {
      writer.forget(QuorumWriter.dir(key));
    }
    if (!errors.isEmpty()) {
      throw new StorageException(
          "deleting " + uri(key) + " failed on " + String.join("; ", errors), true, null);
    }
  }

  /**
   * Discards unfinished uploads under {@code prefix} on every member; fails (after trying all) if a
   * member could not be reached, as {@link #delete} does.
   */
  @Override
  public int abortUploads(String prefix) throws IOException {
    List<String> errors = new ArrayList<>();
    int aborted = 0;
    for (QuorumWriter.Outcome<Integer> o :
        writer.fanOut(writer.all(), writer.onStore(prefix, ObjectStore::abortUploads))) {
      if (o.failure() != null) {
        errors.add(writer.failure(o.member(), o.failure()));
      } else {
        aborted += o.value();
      }
    }
    if (!errors.isEmpty()) {
      throw new StorageException(
          "discarding unfinished uploads under "
              + uri(prefix)
              + " failed on "
              + String.join("; ", errors),
          true,
          null);
    }
    return aborted;
  }

  /** The members that missed a write under {@code dirKey} (left out of its later writes). */
  public List<String> missedUnder(String dirKey) {
    return writer.missedUnder(dirKey).stream().map(i -> members.get(i).name()).toList();
  }

  /** Forgets which members missed writes under {@code dir} (after a commit or an abort). */
  public void forget(String dirKey) {
    writer.forget(dirKey);
  }

  @Override
  public boolean parallelParts() {
    return members.stream().allMatch(m -> m.location().store().parallelParts());
  }

  @Override
  public int minPartSize() {
    return members.stream().mapToInt(m -> m.location().store().minPartSize()).max().orElse(1);
  }

  @Override
  public int maxParts() {
    return members.stream().mapToInt(m -> m.location().store().maxParts()).min().orElse(10_000);
  }

  @Override
  public void close() {
    writer.close();
    for (Member m : members) {
      m.location().close();
    }
  }
}
