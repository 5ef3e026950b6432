package dev.stasis.storage.replicated;

import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.StorageException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One upload to every member that started it. A member whose part or completion fails is dropped
 * (its upload aborted, the member left out of the directory); the upload fails once fewer than the
 * write quorum are left.
 */
final class ReplicatedUpload implements ObjectUpload {
  private final QuorumWriter writer;
  private final String key;
  private final Map<Integer, ObjectUpload> live;
  private final List<String> errors;

  /**
   * @param live the members' uploads, by member
   * @param errors the failures of the members that could not start it
   */
  ReplicatedUpload(
      QuorumWriter writer, String key, Map<Integer, ObjectUpload> live, List<String> errors) {
    this.writer = writer;
    this.key = key;
    this.live = new ConcurrentHashMap<>(live);
    this.errors = Collections.synchronizedList(new ArrayList<>(errors));
  }

  private void drop(int member, Throwable t) {
    ObjectUpload u = live.remove(member);
    if (u != null) {
      writer.exclude(key, member, t);
      errors.add(writer.failure(member, t));
      u.abort();
    }
  }

  private void check(String what) throws StorageException {
    if (live.size() < writer.writeQuorum()) {
      throw writer.quorumLost(what, key, live.size(), errors);
    }
  }

  @Override
  public void uploadPart(int partNumber, byte[] data, int length) throws IOException {
    Map<Integer, ObjectUpload> now = new LinkedHashMap<>(live);
    List<QuorumWriter.Outcome<Object>> outcomes =
        writer.fanOut(
            now.keySet(),
            i -> {
              now.get(i).uploadPart(partNumber, data, length);
              return null;
            });
    for (QuorumWriter.Outcome<Object> o : outcomes) {
      if (o.failure() instanceof InterruptedException) {
        throw new InterruptedIOException("interrupted");
      }
      if (o.failure() != null) {
        drop(o.member(), o.failure());
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
