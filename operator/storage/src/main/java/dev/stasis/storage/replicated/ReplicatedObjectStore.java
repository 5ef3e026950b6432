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
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * the manifest last, so quorum on the manifest means quorum on the whole checkpoint.
 */
public final class ReplicatedObjectStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedObjectStore.class);

  /** One member: its name (a CheckpointStorage name) and where it keeps this store's objects. */
  public record Member(String name, StorageLocation location) {}

  private final String name;
  private final List<Member> members;
  private final int writeQuorum;
  private final ExecutorService pool;
  private final Map<String, BitSet> excluded = new ConcurrentHashMap<>();

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
    this.writeQuorum = writeQuorum;
    this.pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "stasis-replica");
              t.setDaemon(true);
              return t;
            });
  }

  public String name() {
    return name;
  }

  public List<Member> members() {
    return members;
  }

  public int writeQuorum() {
    return writeQuorum;
  }

  @Override
  public URI uri(String key) {
    return StorageUri.uriOf(Stasis.SCHEME_REPLICATED, name, key);
  }

  private static String dir(String key) {
    int i = key.lastIndexOf('/');
    return i < 0 ? "" : key.substring(0, i);
  }

  private boolean isExcluded(String key, int member) {
    BitSet b = excluded.get(dir(key));
    synchronized (excluded) {
      return b != null && b.get(member);
    }
  }

  private void exclude(String key, int member, Throwable cause) {
    LOG.warn(
        "member {} of {} failed a write under {}: {}",
        members.get(member).name(),
        uri(""),
        dir(key),
        cause.toString());
    synchronized (excluded) {
      excluded.computeIfAbsent(dir(key), k -> new BitSet()).set(member);
    }
  }

  /** Members that may still be written under {@code key}'s directory. */
  private List<Integer> writable(String key) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      if (!isExcluded(key, i)) {
        out.add(i);
      }
    }
    return out;
  }

  private StorageException quorumLost(String what, String key, int ok, List<String> errors) {
    return new StorageException(
        what
            + " "
            + uri(key)
            + " reached "
            + ok
            + " of "
            + members.size()
            + " members, write quorum is "
            + writeQuorum
            + ": "
            + String.join("; ", errors),
        false,
        null);
  }

  private interface MemberCall<T> {
    T call(Member m, String memberKey) throws IOException;
  }

  /** Runs {@code call} on the given members in parallel; returns results by member index. */
  private <T> Map<Integer, Object> onMembers(List<Integer> which, String key, MemberCall<T> call) {
    Map<Integer, Future<T>> futures = new LinkedHashMap<>();
    for (int i : which) {
      Member m = members.get(i);
      futures.put(i, pool.submit(() -> call.call(m, m.location().key(key))));
    }
    Map<Integer, Object> results = new LinkedHashMap<>();
    for (Map.Entry<Integer, Future<T>> e : futures.entrySet()) {
      try {
        T v = e.getValue().get();
        results.put(e.getKey(), v == null ? Boolean.TRUE : v);
      } catch (java.util.concurrent.ExecutionException ex) {
        results.put(e.getKey(), ex.getCause());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        results.put(e.getKey(), ex);
      }
    }
    return results;
  }

  @Override
  public void put(String key, byte[] data, int length, String contentType) throws IOException {
    Map<Integer, Object> r =
        onMembers(
            writable(key),
            key,
            (m, k) -> {
              m.location().store().put(k, data, length, contentType);
              return null;
            });
    int ok = 0;
    List<String> errors = new ArrayList<>();
    for (Map.Entry<Integer, Object> e : r.entrySet()) {
      if (e.getValue() instanceof Throwable t) {
        exclude(key, e.getKey(), t);
        errors.add(members.get(e.getKey()).name() + ": " + t.getMessage());
      } else {
        ok++;
      }
    }
    if (ok < writeQuorum) {
      throw quorumLost("writing", key, ok, errors);
    }
  }

  @Override
  public ObjectUpload startUpload(String key, String contentType, int partSize) throws IOException {
    Map<Integer, Object> r =
        onMembers(
            writable(key),
            key,
            (m, k) -> m.location().store().startUpload(k, contentType, partSize));
    Map<Integer, ObjectUpload> live = new ConcurrentHashMap<>();
    List<String> errors = new ArrayList<>();
    for (Map.Entry<Integer, Object> e : r.entrySet()) {
      if (e.getValue() instanceof ObjectUpload u) {
        live.put(e.getKey(), u);
      } else {
        Throwable t = (Throwable) e.getValue();
        exclude(key, e.getKey(), t);
        errors.add(members.get(e.getKey()).name() + ": " + t.getMessage());
      }
    }
    if (live.size() < writeQuorum) {
      live.values().forEach(ObjectUpload::abort);
      throw quorumLost("starting the upload of", key, live.size(), errors);
    }
    return new ReplicatedUpload(key, live, errors);
  }

  private final class ReplicatedUpload implements ObjectUpload {
    private final String key;
    private final Map<Integer, ObjectUpload> live;
    private final List<String> errors;

    ReplicatedUpload(String key, Map<Integer, ObjectUpload> live, List<String> errors) {
      this.key = key;
      this.live = live;
      this.errors = java.util.Collections.synchronizedList(new ArrayList<>(errors));
    }

    private void drop(int member, Throwable t) {
      ObjectUpload u = live.remove(member);
      if (u != null) {
        exclude(key, member, t);
        errors.add(members.get(member).name() + ": " + t.getMessage());
        u.abort();
      }
    }

    private void check(String what) throws StorageException {
      if (live.size() < writeQuorum) {
        throw quorumLost(what, key, live.size(), errors);
      }
    }

    @Override
    public void uploadPart(int partNumber, byte[] data, int length) throws IOException {
      List<Integer> which = new ArrayList<>(live.keySet());
      Map<Integer, Future<?>> futures = new LinkedHashMap<>();
      for (int i : which) {
        ObjectUpload u = live.get(i);
        if (u != null) {
          futures.put(
              i,
              pool.submit(
                  () -> {
                    u.uploadPart(partNumber, data, length);
                    return null;
                  }));
        }
      }
      for (Map.Entry<Integer, Future<?>> e : futures.entrySet()) {
        try {
          e.getValue().get();
        } catch (java.util.concurrent.ExecutionException ex) {
          drop(e.getKey(), ex.getCause());
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted");
        }
      }
      check("uploading part " + partNumber + " of");
    }

    @Override
    public void complete(int partCount) throws IOException {
      for (Map.Entry<Integer, ObjectUpload> e : new ArrayList<>(live.entrySet())) {
        try {
          e.getValue().complete(partCount);
        } catch (IOException | RuntimeException ex) {
          drop(e.getKey(), ex);
        }
      }
      check("completing");
    }

    @Override
    public void abort() {
      for (ObjectUpload u : live.values()) {
        u.abort();
      }
      live.clear();
    }
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
        LOG.warn("member {} of {} is unavailable: {}", m.name(), uri(""), e.toString());
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
    List<String> errors = new ArrayList<>();
    for (Member m : members) {
      try {
        return m.location().store().open(m.location().key(key));
      } catch (NoSuchObjectException e) {
        // try the next member
      } catch (IOException e) {
        LOG.warn("member {} of {} is unavailable: {}", m.name(), uri(""), e.toString());
        errors.add(m.name() + ": " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new StorageException(
          "no available member holds " + uri(key) + ": " + String.join("; ", errors), true, null);
    }
    throw new NoSuchObjectException(uri(key));
  }

  @Override
  public byte[] readAll(String key) throws IOException {
    List<String> errors = new ArrayList<>();
    for (Member m : members) {
      try {
        return m.location().store().readAll(m.location().key(key));
      } catch (NoSuchObjectException e) {
        // try the next member
      } catch (IOException e) {
        LOG.warn("member {} of {} is unavailable: {}", m.name(), uri(""), e.toString());
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
        LOG.warn("member {} of {} is unavailable: {}", m.name(), uri(""), e.toString());
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
    Map<Integer, Object> r =
        onMembers(
            allMembers(),
            key,
            (m, k) -> {
              m.location().store().delete(k);
              return null;
            });
    List<String> errors = new ArrayList<>();
    for (Map.Entry<Integer, Object> e : r.entrySet()) {
      if (e.getValue() instanceof Throwable t) {
        errors.add(members.get(e.getKey()).name() + ": " + t.getMessage());
      }
    }
    if (key.endsWith("/manifest.json")) {
      excluded.remove(dir(key));
    }
    if (!errors.isEmpty()) {
      throw new StorageException(
          "deleting " + uri(key) + " failed on " + String.join("; ", errors), true, null);
    }
  }

  private List<Integer> allMembers() {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      all.add(i);
    }
    return all;
  }

  /** Forgets which members missed writes under {@code dir} (after a commit or an abort). */
  public void forget(String dirKey) {
    excluded.remove(dirKey);
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
    pool.shutdownNow();
    for (Member m : members) {
      m.location().close();
    }
  }
}
