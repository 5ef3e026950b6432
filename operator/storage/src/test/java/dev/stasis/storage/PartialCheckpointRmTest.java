package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.storage.fs.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a writer that died before its manifest leaves in a directory store (a stored archive and the
 * temporary file of an upload that never completed) is no checkpoint, and {@code rm} removes all of
 * it, as the agent's clean-up after a restart does.
 */
class PartialCheckpointRmTest {
  @TempDir Path dir;

  private static final CheckpointId ID =
      new CheckpointId("shop", "web-0", "nightly", "8b9c0d1e-0000-4000-8000-000000000002");

  private static long files(Path p) throws Exception {
    if (!Files.exists(p)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void rmRemovesAPartialCheckpointAndTheUploadThatNeverCompleted() throws Exception {
    byte[] archive = ArchiveGenerator.bytes(2 * 1024 * 1024, 5);
    URI checkpoint;
    try (FileObjectStore store = new FileObjectStore(dir)) {
      CheckpointRepository repo =
          new CheckpointRepository(new StorageLocation(store, "ckpt"), TransferOptions.defaults());
      CheckpointWriter w = repo.start(ID, "node-a");
      w.putArchive("sidecar", "busybox", new ByteArrayInputStream(archive), -1, null);
      // The next upload has a part on disk when the writer dies: no complete, no abort.
      ObjectUpload dying =
          store.startUpload("ckpt/" + ID.directory() + "/app.tar.zst", "application/zstd", 1024);
      dying.uploadPart(1, archive, 1024);
      checkpoint = repo.uriOf(ID);
      assertThat(repo.list("shop")).isEmpty();
    }
    Path ckptDir = dir.resolve("ckpt/" + ID.directory());
    assertThat(files(ckptDir)).isEqualTo(2);

    CliInteropTest.Run rm = CliInteropTest.cli("rm", checkpoint.toString());
    assertThat(rm.code()).as(rm.err()).isZero();
    assertThat(rm.out())
        .contains("deleted partial checkpoint " + checkpoint)
        .contains("1 object(s), 1 unfinished upload(s)");
    assertThat(files(dir)).isZero();

    CliInteropTest.Run again = CliInteropTest.cli("rm", checkpoint.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("nothing at " + checkpoint);
  }
}
