package dev.stasis.storage.replicated;

import dev.stasis.storage.ObjectStore;
import dev.stasis.storage.StorageException;
import dev.stasis.storage.replicated.ReplicatedObjectStore.Member;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to the members of a replicated store in parallel and holds each write to the write quorum.
 * A member that failed a write under a directory is left out of every later write there, until the
 * directory is forgotten (see {@link ReplicatedObjectStore} for why).
 */
final class QuorumWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuorumWriter.class);

  /** A call on the member with this index. */
  interface MemberCall<T> {
    T call(int member) throws IOException;
  }

  /** A call on a member's store, with the key that this store's key has there. */
  interface StoreCall<T> {
    T call(ObjectStore store, String memberKey) throws IOException;
  }

  /** What one member did: its result, or what it failed with (an interrupted wait, too). */
  record Outcome<T>(int member, T value, Throwable failure) {}

  private final List<Member> members;
  private final int writeQuorum;
  private final Function<String, URI> uri;
  private final ExecutorService pool;
  private final Map<String, BitSet> excluded = new ConcurrentHashMap<>();

  QuorumWriter(List<Member> members, int writeQuorum, Function<String, URI> uri) {
    this.members = members;
    this.writeQuorum = writeQuorum;
    this.uri = uri;
    this.pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "stasis-replica");
              t.setDaemon(true);
              return t;
            });
  }

  int writeQuorum() {
    return writeQuorum;
  }

  /** Adapts a call on a member's store, for {@code key}, to {@link #fanOut}. */
  <T> MemberCall<T> onStore(String key, StoreCall<T> call) {
    return i -> {
      Member m = members.get(i);
      return call.call(m.location().store(), m.location().key(key));
    };
  }

  /** Runs {@code call} on the given members in parallel; what each did, in the order given. */
  <T> List<Outcome<T>> fanOut(Collection<Integer> which, MemberCall<T> call) {
    Map<Integer, Future<T>> futures = new LinkedHashMap<>();
    for (int i : which) {
      futures.put(i, pool.submit(() -> call.call(i)));
    }
    List<Outcome<T>> outcomes = new ArrayList<>();
    for (Map.Entry<Integer, Future<T>> e : futures.entrySet()) {
      try {
        outcomes.add(new Outcome<>(e.getKey(), e.getValue().get(), null));
      } catch (ExecutionException ex) {
        outcomes.add(new Outcome<>(e.getKey(), null, ex.getCause()));
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        outcomes.add(new Outcome<>(e.getKey(), null, ex));
      }
    }
    return outcomes;
  }

  /**
   * Runs {@code call} for {@code key} on every member that may still be written under its
   * directory. Members that fail are left out there from now on, and their failures added to {@code
   * errors}. Returns the results of the others by member; if they are fewer than the write quorum,
   * hands each to {@code undo} and throws.
   */
  <T> Map<Integer, T> write(
      String what, String key, StoreCall<T> call, List<String> errors, Consumer<T> undo)
      throws StorageException {
    Map<Integer, T> done = new LinkedHashMap<>();
    for (Outcome<T> o : fanOut(writable(key), onStore(key, call))) {
      if (o.failure() != null) {
        exclude(key, o.member(), o.failure());
        errors.add(failure(o.member(), o.failure()));
      } else {
        done.put(o.member(), o.value());
      }
    }
    if (done.size() < writeQuorum) {
      done.values().forEach(undo);
      throw quorumLost(what, key, done.size(), errors);
    }
    return done;
  }

  /** How a member's failure is told in a quorum error. */
  String failure(int member, Throwable t) {
    return members.get(member).name() + ": " + t.getMessage();
  }

  StorageException quorumLost(String what, String key, int ok, List<String> errors) {
    return new StorageException(
        what
            + " "
            + uri.apply(key)
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

  static String dir(String key) {
    int i = key.lastIndexOf('/');
    return i < 0 ? "" : key.substring(0, i);
  }

  private boolean isExcluded(String key, int member) {
    BitSet b = excluded.get(dir(key));
    synchronized (excluded) {
      return b != null && b.get(member);
    }
  }

  void exclude(String key, int member, Throwable cause) {
    LOG.warn(
        "member {} of {} failed a write under {}: {}",
        members.get(member).name(),
        uri.apply(""),
        dir(key),
        cause.toString());
    synchronized (excluded) {
      excluded.computeIfAbsent(dir(key), k -> new BitSet()).set(member);
    }
  }

  /** Members that may still be written under {@code key}'s directory. */
  private List<Integer> writable(String key) {
    return all().stream().filter(i -> !isExcluded(key, i)).toList();
  }

  /** Every member, for what must reach them all (a delete). */
  List<Integer> all() {
    return IntStream.range(0, members.size()).boxed().toList();
  }

  /** The members that missed a write under {@code dirKey}, in order. */
  List<Integer> missedUnder(String dirKey) {
    synchronized (excluded) {
      BitSet b = excluded.get(dirKey);
      return b == null ? List.of() : b.stream().boxed().toList();
    }
  }

  /** Forgets which members missed writes under {@code dirKey}. */
  void forget(String dirKey) {
    excluded.remove(dirKey);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
