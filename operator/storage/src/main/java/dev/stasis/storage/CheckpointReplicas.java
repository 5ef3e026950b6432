package dev.stasis.storage;

import dev.stasis.storage.replicated.ReplicatedObjectStore;
import dev.stasis.storage.replicated.ReplicatedObjectStore.Member;
import java.io.IOException;
import java.net.URI;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copies of one checkpoint on the members of a replicated ({@code stasis://}) store. A write
 * succeeds once the write quorum holds it, so a member that was down then lacks the checkpoint (see
 * {@link ReplicatedObjectStore}). {@link #check} reads every member's copy and checks each
 * archive's stored size and SHA-256 against the manifest; {@link #repair} copies what a member
 * lacks (or holds corrupt) from a member whose copy matches the manifest, checked again on the way,
 * and writes the manifest last, so the repaired member has the checkpoint only once every archive
 * is there.
 */
public final class CheckpointReplicas {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointReplicas.class);

  /**
   * One member's copy: the objects it lacks, those whose bytes do not match the manifest, or why it
   * could not be read ({@code error}).
   */
  public record MemberCopy(
      String member, List<String> missing, List<String> corrupt, String error) {
    public boolean whole() {
      return error == null && missing.isEmpty() && corrupt.isEmpty();
    }

    /** One line for a person: {@code s3-a: whole}, {@code s3-a: lacks app.tar.zst}. */
    public String describe() {
      if (error != null) {
        return member + ": unreachable (" + error + ")";
      }
      if (whole()) {
        return member + ": whole";
      }
      List<String> parts = new ArrayList<>();
      if (!missing.isEmpty()) {
        parts.add("lacks " + String.join(", ", missing));
      }
      if (!corrupt.isEmpty()) {
        parts.add("corrupt " + String.join(", ", corrupt));
      }
      return member + ": " + String.join("; ", parts);
    }
  }

  /** Where the bytes of a checked stream go (a part upload), or nowhere. */
  private interface PartSink {
    void part(int number, byte[] data, int length) throws IOException;
  }

  private final CheckpointRepository repository;
  private final ReplicatedObjectStore store;

  /** The checkpoints of {@code repository}, whose store must be a replicated one. */
  public CheckpointReplicas(CheckpointRepository repository) {
    if (!(repository.location().store() instanceof ReplicatedObjectStore r)) {
      throw new IllegalArgumentException(
          repository.location().uri() + " is not a replicated (stasis://) location");
    }
    this.repository = repository;
    this.store = r;
  }

  /** Whether {@code repository} is on a replicated store. */
  public static boolean applies(CheckpointRepository repository) {
    return repository.location().store() instanceof ReplicatedObjectStore;
  }

  /** Each member's copy of the checkpoint, in the members' order (reads every copy). */
  public List<MemberCopy> check(URI checkpoint) throws IOException {
    CheckpointManifest manifest = repository.readManifest(checkpoint);
    String dir = repository.directoryKey(checkpoint);
    List<MemberCopy> out = new ArrayList<>();
    for (Member m : store.members()) {
      out.add(copyOn(m, dir, manifest));
    }
    return out;
  }

  private MemberCopy copyOn(Member m, String dir, CheckpointManifest manifest) {
    List<String> missing = new ArrayList<>();
    List<String> corrupt = new ArrayList<>();
    try {
      for (CheckpointManifest.Container c : manifest.containers()) {
        String key = m.location().key(dir + "/" + c.object());
        if (m.location().store().stat(key).isEmpty()) {
          missing.add(c.object());
          continue;
        }
        try {
          stream(m, dir + "/" + c.object(), c, 0, null);
        } catch (IntegrityException e) {
          corrupt.add(c.object());
        }
      }
      String manifestKey = m.location().key(dir + "/" + CheckpointManifest.FILE_NAME);
      if (m.location().store().stat(manifestKey).isEmpty()) {
        missing.add(CheckpointManifest.FILE_NAME);
      }
    } catch (IOException e) {
      return new MemberCopy(m.name(), List.of(), List.of(), e.getMessage());
    }
    return new MemberCopy(m.name(), missing, corrupt, null);
  }

  /**
   * Copies what each reachable member lacks or holds corrupt from a member whose copy matches the
   * manifest, then checks again. A member that cannot be reached, or for which no verified copy
   * could be made, stays as it was, and the result says so.
   */
  public List<MemberCopy> repair(URI checkpoint) throws IOException {
    CheckpointManifest manifest = repository.readManifest(checkpoint);
    String dir = repository.directoryKey(checkpoint);
    List<Member> sources = new ArrayList<>();
    Map<Member, MemberCopy> targets = new LinkedHashMap<>();
    for (Member m : store.members()) {
      MemberCopy copy = copyOn(m, dir, manifest);
      if (copy.whole()) {
        sources.add(m);
      } else if (copy.error() == null) {
        targets.put(m, copy);
      }
    }
    for (Map.Entry<Member, MemberCopy> t : targets.entrySet()) {
      try {
        repairMember(t.getKey(), t.getValue(), sources, dir, manifest);
      } catch (IOException e) {
        LOG.warn(
            "could not repair {} on member {}: {}", checkpoint, t.getKey().name(), e.getMessage());
      }
    }
    return check(checkpoint);
  }

  private void repairMember(
      Member target, MemberCopy copy, List<Member> sources, String dir, CheckpointManifest manifest)
      throws IOException {
    for (CheckpointManifest.Container c : manifest.containers()) {
      if (copy.missing().contains(c.object()) || copy.corrupt().contains(c.object())) {
        copyVerified(dir + "/" + c.object(), c, sources, target);
      }
    }
    String manifestKey = dir + "/" + CheckpointManifest.FILE_NAME;
    byte[] json = readFromFirst(manifestKey, sources);
    target
        .location()
        .store()
        .put(target.location().key(manifestKey), json, json.length, "application/json");
    LOG.info("repaired {} on member {}", store.uri(dir), target.name());
  }

  private static byte[] readFromFirst(String key, List<Member> sources) throws IOException {
    IOException last = new NoSuchObjectException("no member holds " + key + " whole");
    for (Member s : sources) {
      try {
        return s.location().store().readAll(s.location().key(key));
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  /** Copies one archive from the first source whose bytes match the manifest. */
  private void copyVerified(
      String key, CheckpointManifest.Container c, List<Member> sources, Member target)
      throws IOException {
    IOException last = new NoSuchObjectException("no member holds " + key + " whole");
    for (Member source : sources) {
      try {
        copy(source, target, key, c);
        return;
      } catch (IOException e) {
        LOG.warn("copying {} from member {} failed: {}", key, source.name(), e.getMessage());
        last = e;
      }
    }
    throw last;
  }

  private void copy(Member source, Member target, String key, CheckpointManifest.Container c)
      throws IOException {
    ObjectStore to = target.location().store();
    int maxParts = Math.max(1, to.maxParts());
    long wanted =
        Math.max(
            Math.max(repository.options().partSize(), to.minPartSize()),
            c.storedBytes() / maxParts + 1);
    int partSize = (int) Math.min(Integer.MAX_VALUE - 8, wanted);
    ObjectUpload up =
        to.startUpload(target.location().key(key), "application/octet-stream", partSize);
    boolean done = false;
    try {
      int parts = stream(source, key, c, partSize, up::uploadPart);
      up.complete(parts);
      done = true;
    } finally {
      if (!done) {
        up.abort();
      }
    }
  }

  /**
   * Reads the member's object in parts of {@code partSize} (0: the repository's part size), hands
   * each to {@code sink}, and checks size and SHA-256 against the manifest before returning the
   * number of parts; a mismatch is an {@link IntegrityException}.
   */
  private int stream(
      Member member, String key, CheckpointManifest.Container c, int partSize, PartSink sink)
      throws IOException {
    long size = c.storedBytes();
    int step = partSize > 0 ? partSize : repository.options().partSize();
    ObjectStore from = member.location().store();
    String memberKey = member.location().key(key);
    MessageDigest sha = Hashes.sha256();
    byte[] buf = new byte[(int) Math.max(1, Math.min(step, size))];
    int part = 0;
    try (ObjectReader in = from.open(memberKey)) {
      if (in.info().size() != size) {
        throw new IntegrityException(
            from.uri(memberKey) + " has " + in.info().size() + " bytes, the manifest says " + size);
      }
      for (long off = 0; off < size; off += step) {
        int n = (int) Math.min(step, size - off);
        in.readFully(off, buf, 0, n);
        sha.update(buf, 0, n);
        part++;
        if (sink != null) {
          sink.part(part, buf, n);
        }
      }
    }
    String got = Hashes.hex(sha.digest());
    if (!got.equals(c.storedSha256())) {
      throw new IntegrityException(
          from.uri(memberKey)
              + " does not match the manifest: stored SHA-256 "
              + got
              + ", expected "
              + c.storedSha256());
    }
    return part;
  }
}
