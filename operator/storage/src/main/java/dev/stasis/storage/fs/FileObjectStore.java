package dev.stasis.storage.fs;

import dev.stasis.api.Stasis;
import dev.stasis.storage.BackendObjectStore;
import dev.stasis.storage.NoSuchObjectException;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.StorageException;
import dev.stasis.storage.StorageUri;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A directory (on the node or a mounted volume). Objects are files; a key's slashes are
 * directories. Writes go to a hidden temporary file ({@code .<name>.stasis-tmp-<random>}) that is
 * synced and then renamed into place, so an object appears whole or not at all; parts of an upload
 * are written in parallel at their offsets. Temporary files are never listed.
 */
public final class FileObjectStore extends BackendObjectStore {
  private static final String TMP = ".stasis-tmp-";

  /**
   * Largest slice of a heap array handed to a file channel at once. The JDK copies a heap buffer
   * through a temporary direct buffer of the same size, cached per thread: a part of 8 MiB written
   * in one call would hold 8 MiB of native memory on every upload thread, past a small {@code
   * -XX:MaxDirectMemorySize}. Slices of 256 KiB cost nothing in throughput.
   */
  static final int IO_SLICE = 256 * 1024;

  private final Path root;

  public FileObjectStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public URI uri(String key) {
    String path = root.toString();
    String full = key.isEmpty() ? path : (path.endsWith("/") ? path + key : path + "/" + key);
    return StorageUri.uriOf(Stasis.SCHEME_FILE, "", full);
  }

  Path path(String key) throws StorageException {
    Path p = root.resolve(key).normalize();
    if (!p.startsWith(root) || key.startsWith("/")) {
      throw new StorageException("key escapes the store's directory: " + key);
    }
    return p;
  }

  StorageException error(String what, String key, IOException e) {
    return failed(what, key, e.toString(), false, e);
  }

  private static ObjectInfo info(String key, BasicFileAttributes a) {
    return new ObjectInfo(
        key,
        a.size(),
        a.lastModifiedTime().toMillis() + "-" + a.size(),
        a.lastModifiedTime().toInstant());
  }

  @Override
  public Optional<ObjectInfo> stat(String key) throws IOException {
    Path p = path(key);
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      if (!a.isRegularFile()) {
        return Optional.empty();
      }
      return Optional.of(info(key, a));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw error("stat", key, e);
    }
  }

  @Override
  protected Ranges openVersion(String key, ObjectInfo info) throws IOException {
    FileChannel ch = FileChannel.open(path(key), StandardOpenOption.READ);
    return new Ranges() {
      @Override
      public void readFully(long offset, byte[] dst, int dstOffset, int length) throws IOException {
        if (!inSlices(ByteBuffer.wrap(dst, dstOffset, length), offset, ch::read)) {
          throw endsBefore(key, offset + length);
        }
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }

  @Override
  public byte[] readAll(String key) throws IOException {
    try {
      return Files.readAllBytes(path(key));
    } catch (NoSuchFileException e) {
      throw new NoSuchObjectException(uri(key));
    } catch (IOException e) {
      throw error("read", key, e);
    }
  }

  /** A positional read or write of a buffer: bytes moved, or -1 at the end of the file. */
  private interface PositionalIo {
    int transfer(ByteBuffer b, long position) throws IOException;
  }

  /**
   * Moves all that remains of {@code b}, from {@code position} on, {@link #IO_SLICE} at a time.
   * Returns false if the file ended first.
   */
  private static boolean inSlices(ByteBuffer b, long position, PositionalIo io) throws IOException {
    int end = b.limit();
    long pos = position;
    while (b.hasRemaining()) {
      b.limit(Math.min(end, b.position() + IO_SLICE));
      int n = io.transfer(b, pos);
      b.limit(end);
      if (n < 0) {
        return false;
      }
      pos += n;
    }
    return true;
  }

  /** Writes all that remains of {@code b} at {@code position}, in slices. */
  static void write(FileChannel ch, ByteBuffer b, long position) throws IOException {
    inSlices(b, position, ch::write);
  }

  private Path temp(Path target) throws IOException {
    Files.createDirectories(target.getParent());
    return target.resolveSibling("." + target.getFileName() + TMP + UUID.randomUUID());
  }

  static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Override
  public void put(String key, byte[] data, int length, String contentType) throws IOException {
    Path target = path(key);
    Path tmp = null;
    try {
      tmp = temp(target);
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        write(ch, ByteBuffer.wrap(data, 0, length), 0);
        ch.force(true);
      }
      moveIntoPlace(tmp, target);
    } catch (IOException e) {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
      throw error("write", key, e);
    }
  }

  @Override
  public ObjectUpload startUpload(String key, String contentType, int partSize) throws IOException {
    Path target = path(key);
    try {
      Path tmp = temp(target);
      FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return new FileUpload(this, key, target, tmp, ch, partSize);
    } catch (IOException e) {
      throw error("start writing", key, e);
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    List<ObjectInfo> out = new ArrayList<>();
    try {
      for (Map.Entry<String, Path> e : filesUnder(prefix, false).entrySet()) {
        out.add(info(e.getKey(), Files.readAttributes(e.getValue(), BasicFileAttributes.class)));
      }
    } catch (NoSuchFileException e) {
      // removed while listing
    } catch (IOException e) {
      throw error("list", prefix, e);
    }
    return out;
  }

  /** Deletes the temporary files of uploads under {@code prefix} that never completed. */
  @Override
  public int abortUploads(String prefix) throws IOException {
    Set<String> leftovers = filesUnder(prefix, true).keySet();
    for (String key : leftovers) {
      delete(key);
    }
    return leftovers.size();
  }

  /**
   * The regular files whose keys start with {@code prefix}, by key: objects, or ({@code temporary})
   * the temporary files of uploads. Walks only the entries whose name starts with the prefix's last
   * segment, so that a store rooted at / never walks the whole file system for a prefix like
   * "checkpoints".
   */
  private Map<String, Path> filesUnder(String prefix, boolean temporary) throws IOException {
    int slash = prefix.lastIndexOf('/');
    Path start = path(slash >= 0 ? prefix.substring(0, slash) : "");
    Map<String, Path> out = new LinkedHashMap<>();
    if (!Files.isDirectory(start)) {
      return out;
    }
    String lastSegment = prefix.substring(slash + 1);
    try (Stream<Path> s =
        Files.list(start)
            .filter(child -> child.getFileName().toString().startsWith(lastSegment))
            .flatMap(FileObjectStore::walkQuietly)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!Files.isRegularFile(p) || p.getFileName().toString().contains(TMP) != temporary) {
          continue;
        }
        String key = root.relativize(p).toString().replace('\\', '/');
        if (key.startsWith(prefix)) {
          out.put(key, p);
        }
      }
    } catch (NoSuchFileException e) {
      // removed while listing
    } catch (java.io.UncheckedIOException e) {
      throw error("list", prefix, e.getCause());
    } catch (IOException e) {
      throw error("list", prefix, e);
    }
    return out;
  }

  private static Stream<Path> walkQuietly(Path path) {
    try {
      return Files.walk(path);
    } catch (NoSuchFileException e) {
      return Stream.empty(); // removed while listing
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void delete(String key) throws IOException {
    Path p = path(key);
    try {
      Files.deleteIfExists(p);
      // Remove directories left empty, up to the root (not for a store rooted at /).
      Path dir = p.getParent();
      while (dir != null && root.getParent() != null && !dir.equals(root) && dir.startsWith(root)) {
        try (Stream<Path> s = Files.list(dir)) {
          if (s.findAny().isPresent()) {
            break;
          }
        }
        Files.deleteIfExists(dir);
        dir = dir.getParent();
      }
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      // someone wrote meanwhile
    } catch (NoSuchFileException e) {
      // already gone (deleted before, or its directory removed by a concurrent delete)
    } catch (IOException e) {
      throw error("delete", key, e);
    }
  }

  @Override
  public void close() {}
}
