package dev.stasis.storage.fs;

import dev.stasis.storage.ObjectUpload;
import dev.stasis.storage.StorageException;
import dev.stasis.storage.StoredParts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An upload into a hidden temporary file: parts written in parallel at their offsets, the file
 * synced and renamed into place when complete, deleted when aborted.
 */
final class FileUpload implements ObjectUpload {
  private final FileObjectStore store;
  private final String key;
  private final Path target;
  private final Path tmp;
  private final FileChannel ch;
  private final int partSize;
  private final StoredParts<Integer> parts;

  FileUpload(
      FileObjectStore store, String key, Path target, Path tmp, FileChannel ch, int partSize) {
    this.store = store;
    this.key = key;
    this.target = target;
    this.tmp = tmp;
    this.ch = ch;
    this.partSize = partSize;
    this.parts = new StoredParts<>(store.uri(key));
  }

  @Override
  public void uploadPart(int partNumber, byte[] data, int length) throws IOException {
    try {
      FileObjectStore.write(
          ch, ByteBuffer.wrap(data, 0, length), (long) (partNumber - 1) * partSize);
    } catch (IOException e) {
      throw store.error("write part " + partNumber + " of", key, e);
    }
    parts.add(partNumber, length);
  }

  @Override
  public void complete(int partCount) throws IOException {
    try {
      parts.all(partCount);
    } catch (StorageException e) {
      abort();
      throw e;
    }
    try {
      ch.force(true);
      ch.close();
      FileObjectStore.moveIntoPlace(tmp, target);
    } catch (IOException e) {
      abort();
      throw store.error("finish", key, e);
    }
  }

  @Override
  public void abort() {
    try {
      ch.close();
    } catch (IOException e) {
      // ignore
    }
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      // best effort
    }
  }
}
