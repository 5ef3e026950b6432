package dev.stasis.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.api.v1alpha1.Compression;
import dev.stasis.storage.fs.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The pipeline against the filesystem store: every codec, frames, parts, verification. */
class CodecRoundTripTest {
  @TempDir Path dir;

  static TransferOptions small(Compression c) {
    return TransferOptions.defaults()
        .withCompression(c)
        .withFrameSize(256 * 1024)
        .withPartSize(300 * 1024)
        .withConcurrency(3)
        .withThreads(3);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void roundTripsEveryCodecThroughManyFramesAndParts(Compression c) throws Exception {
    byte[] archive = ArchiveGenerator.bytes(3 * 1024 * 1024 + 12345, 7);
    try (FileObjectStore store = new FileObjectStore(dir)) {
      UploadResult up =
          ArchiveUploader.upload(
              store,
              "a/b.tar" + c.extension(),
              new ByteArrayInputStream(archive),
              -1,
              small(c),
              null);
      assertThat(up.archiveBytes()).isEqualTo(archive.length);
      assertThat(up.sha256()).isEqualTo(Hashes.sha256Hex(archive));
      byte[] stored = Files.readAllBytes(dir.resolve("a/b.tar" + c.extension()));
      assertThat(up.storedBytes()).isEqualTo(stored.length);
      assertThat(up.storedSha256()).isEqualTo(Hashes.sha256Hex(stored));
      assertThat(up.parts()).isGreaterThan(1);
      if (c == Compression.NONE) {
        assertThat(stored).isEqualTo(archive);
      } else {
        assertThat(stored.length).isLessThan(archive.length);
      }

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      DownloadResult down =
          ArchiveDownloader.download(
              store,
              "a/b.tar" + c.extension(),
              c,
              new Expected((long) archive.length, up.sha256(), up.storedBytes(), up.storedSha256()),
              out,
              small(c),
              null);
      assertThat(out.toByteArray()).isEqualTo(archive);
      assertThat(down.verifiedBy()).isEqualTo("manifest");

      // Without a manifest, the trailer frame still verifies what was read.
      out.reset();
      DownloadResult bare =
          ArchiveDownloader.download(
              store, "a/b.tar" + c.extension(), c, Expected.NOTHING, out, small(c), null);
      assertThat(out.toByteArray()).isEqualTo(archive);
      assertThat(bare.verifiedBy()).isEqualTo(c == Compression.NONE ? "none" : "trailer");
    }
  }

  @Test
  void emptyArchiveRoundTrips() throws Exception {
    try (FileObjectStore store = new FileObjectStore(dir)) {
      UploadResult up =
          ArchiveUploader.upload(
              store,
              "e.tar.zst",
              new ByteArrayInputStream(new byte[0]),
              -1,
              small(Compression.ZSTD),
              null);
      assertThat(up.archiveBytes()).isZero();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ArchiveDownloader.download(
          store,
          "e.tar.zst",
          Compression.ZSTD,
          Expected.NOTHING,
          out,
          small(Compression.ZSTD),
          null);
      assertThat(out.size()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"ZSTD", "LZ4", "GZIP"})
  void flippedByteIsDetectedEvenWithoutManifest(Compression c) throws Exception {
    byte[] archive = ArchiveGenerator.bytes(2 * 1024 * 1024, 3);
    try (FileObjectStore store = new FileObjectStore(dir)) {
      String key = "x.tar" + c.extension();
      ArchiveUploader.upload(store, key, new ByteArrayInputStream(archive), -1, small(c), null);
      Path p = dir.resolve(key);
      byte[] stored = Files.readAllBytes(p);
      stored[stored.length / 2] ^= 0x40;
      Files.write(p, stored);
      assertThatThrownBy(
              () ->
                  ArchiveDownloader.download(
                      store, key, c, Expected.NOTHING, new ByteArrayOutputStream(), small(c), null))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining(store.uri(key).toString());
    }
  }

  @Test
  void readsASingleFrameFileWrittenByTheZstdLibraryItself() throws Exception {
    byte[] archive = ArchiveGenerator.bytes(1024 * 1024, 11);
    Files.write(dir.resolve("plain.zst"), com.github.luben.zstd.Zstd.compress(archive, 3));
    // zstd-jni writes the content size: such a frame is split like ours. A streamed one has
    // none and goes through the sequential decoder.
    ByteArrayOutputStream streamed = new ByteArrayOutputStream();
    try (com.github.luben.zstd.ZstdOutputStream z =
        new com.github.luben.zstd.ZstdOutputStream(streamed)) {
      z.write(archive);
    }
    Files.write(dir.resolve("streamed.zst"), streamed.toByteArray());
    try (FileObjectStore store = new FileObjectStore(dir)) {
      for (String k : new String[] {"plain.zst", "streamed.zst"}) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DownloadResult r =
            ArchiveDownloader.download(
                store, k, Compression.ZSTD, Expected.NOTHING, out, small(Compression.ZSTD), null);
        assertThat(out.toByteArray()).as(k).isEqualTo(archive);
        assertThat(r.verifiedBy()).isEqualTo("none");
      }
      assertThat(store.stat("missing")).isEqualTo(Optional.empty());
    }
  }
}
