package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.storage.fs.FileObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileObjectStoreTest {
  @TempDir Path dir;

  private static void put(FileObjectStore store, String key) throws Exception {
    byte[] data = key.getBytes(StandardCharsets.UTF_8);
    store.put(key, data, data.length, "application/octet-stream");
  }

  @Test
  void listingAPrefixWithoutSlashWalksOnlyTheMatchingEntries() throws Exception {
    try (FileObjectStore store = new FileObjectStore(dir)) {
      put(store, "checkpoints/ns/pod/a");
      put(store, "checkpoints-old/b");
      put(store, "other/c");
      assertThat(store.list("checkpoints").stream().map(ObjectInfo::key))
          .containsExactlyInAnyOrder("checkpoints/ns/pod/a", "checkpoints-old/b");
      assertThat(store.list("checkpoints/").stream().map(ObjectInfo::key))
          .containsExactly("checkpoints/ns/pod/a");
      assertThat(store.list("nonexistent")).isEmpty();
      assertThat(store.list("nonexistent/deeper/")).isEmpty();
    }
  }

  @Test
  void aStoreRootedAtTheFileSystemRootListsWithoutWalkingIt() throws Exception {
    // `stasis ls file:///nonexistent-dir`: walking / would hit /proc and fail (or take minutes).
    try (FileObjectStore store = new FileObjectStore(Path.of("/"))) {
      assertThat(store.list("nonexistent-stasis-dir-" + System.nanoTime())).isEmpty();
    }
  }

  @Test
  void deletingIsIdempotentAndRemovesDirectoriesLeftEmpty() throws Exception {
    try (FileObjectStore store = new FileObjectStore(dir)) {
      put(store, "ns/pod/ckpt-1/app.tar.zst");
      put(store, "ns/pod/ckpt-1/manifest.json");
      store.delete("ns/pod/ckpt-1/manifest.json");
      store.delete("ns/pod/ckpt-1/app.tar.zst");
      assertThat(dir.resolve("ns")).doesNotExist();
      // Again, now that the directories are gone: nothing to do, no error.
      store.delete("ns/pod/ckpt-1/app.tar.zst");
      store.delete("never/existed");
      assertThat(store.list("")).isEmpty();
    }
  }
}
