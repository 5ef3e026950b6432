package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.storage.fs.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A restore refuses an archive that is not the one the manifest describes, and hands nothing on:
 * the target file never appears and no partial file is left. A tampered manifest field is caught by
 * the one comparison of that field (the archive's SHA-256, the stored object's SHA-256), so those
 * tests fail if that comparison is removed; an object altered or cut short is caught by the checks
 * of the object itself.
 */
class ArchiveIntegrityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final CheckpointId ID = new CheckpointId("shop", "web-0", "c1", "c1c1c1c1-0000");

  @TempDir Path tmp;
  private byte[] archive;

  @BeforeEach
  void archive() {
    archive = ArchiveGenerator.bytes(3 * 1024 * 1024 + 12345, 7);
  }

  private CheckpointRepository repository(Compression compression) {
    return new CheckpointRepository(
        new StorageLocation(new FileObjectStore(tmp.resolve("store")), ""),
        TransferOptions.defaults()
            .withCompression(compression)
            .withFrameSize(256 * 1024)
            .withThreads(2));
  }

  private URI write(CheckpointRepository repo) throws Exception {
    CheckpointWriter w = repo.start(ID, "node-a");
    w.putArchive("app", "nginx:1.27", new ByteArrayInputStream(archive), -1, null);
    w.commit(JSON.readTree("{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.27\"}]}"));
    return w.uri();
  }

  private Path object(CheckpointRepository repo, String name) {
    return tmp.resolve("store").resolve(ID.directory()).resolve(name);
  }

  /** Rewrites one field of the app container's entry in manifest.json. */
  private void tamperManifest(CheckpointRepository repo, String field, String value)
      throws Exception {
    Path manifest = object(repo, CheckpointManifest.FILE_NAME);
    ObjectNode m = (ObjectNode) JSON.readTree(Files.readAllBytes(manifest));
    ((ObjectNode) m.withArray("containers").get(0)).put(field, value);
    Files.write(manifest, JSON.writeValueAsBytes(m));
  }

  private void assertRefusedAndNothingHandedOn(
      CheckpointRepository repo, URI uri, String... messageParts) {
    Path target = tmp.resolve("restore").resolve("app.tar");
    assertThatThrownBy(() -> repo.readArchive(uri, "app", target, null))
        .isInstanceOf(IntegrityException.class)
        .message()
        .contains(messageParts);
    assertThat(target).doesNotExist();
    try (Stream<Path> left = Files.list(target.getParent())) {
      assertThat(left).as("nothing left beside the target").isEmpty();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"ZSTD", "NONE"})
  void aManifestWhoseArchiveSha256DiffersIsRefused(Compression compression) throws Exception {
    try (CheckpointRepository repo = repository(compression)) {
      URI uri = write(repo);
      String other = Hashes.sha256Hex("another archive".getBytes());
      tamperManifest(repo, "sha256", other);
      assertRefusedAndNothingHandedOn(repo, uri, "SHA-256 of the archive", other);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"ZSTD", "NONE"})
  void aManifestWhoseStoredSha256DiffersIsRefused(Compression compression) throws Exception {
    try (CheckpointRepository repo = repository(compression)) {
      URI uri = write(repo);
      String other = Hashes.sha256Hex("another object".getBytes());
      tamperManifest(repo, "storedSha256", other);
      assertRefusedAndNothingHandedOn(repo, uri, "SHA-256 of the stored object", other);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"ZSTD", "NONE"})
  void anArchiveAlteredInPlaceIsRefused(Compression compression) throws Exception {
    try (CheckpointRepository repo = repository(compression)) {
      URI uri = write(repo);
      CheckpointManifest.Container app = repo.readManifest(uri).container("app");
      Path stored = object(repo, app.object());
      long size = Files.size(stored);
      try (RandomAccessFile f = new RandomAccessFile(stored.toFile(), "rw")) {
        long at = size / 2;
        f.seek(at);
        int b = f.read();
        f.seek(at);
        f.write(b ^ 0x5a);
      }
      assertThat(Files.size(stored)).isEqualTo(size);
      // Same size, one byte changed: the stored SHA-256 (or, compressed, the decoder) says so.
      assertRefusedAndNothingHandedOn(repo, uri, uri.toString());
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"ZSTD", "NONE"})
  void aTruncatedArchiveIsRefused(Compression compression) throws Exception {
    try (CheckpointRepository repo = repository(compression)) {
      URI uri = write(repo);
      CheckpointManifest.Container app = repo.readManifest(uri).container("app");
      Path stored = object(repo, app.object());
      try (RandomAccessFile f = new RandomAccessFile(stored.toFile(), "rw")) {
        f.setLength(f.length() - 1000);
      }
      assertRefusedAndNothingHandedOn(repo, uri, "truncated");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"ZSTD", "NONE"})
  void anUntouchedCheckpointReadsBackWhole(Compression compression) throws Exception {
    try (CheckpointRepository repo = repository(compression)) {
      URI uri = write(repo);
      Path target = tmp.resolve("restore").resolve("app.tar");
      DownloadResult r = repo.readArchive(uri, "app", target, null);
      assertThat(Files.readAllBytes(target)).isEqualTo(archive);
      assertThat(r.sha256()).isEqualTo(Hashes.sha256Hex(archive));
    }
  }
}
