package dev.stasis.e2e.cluster;

import dev.stasis.storage.CheckpointManifest;
import dev.stasis.storage.CheckpointRepository;
import dev.stasis.storage.ObjectInfo;
import dev.stasis.storage.StorageUri;
import dev.stasis.storage.StoreFactory;
import dev.stasis.storage.TransferOptions;
import dev.stasis.storage.s3.S3Settings;
import dev.stasis.testsupport.s3.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Looks into the backends the way {@code stasis ls} / {@code stasis verify} do, with the storage
 * module and this JVM's test servers: what is stored where, and whether it is whole.
 */
final class Stored {
  private Stored() {}

  /** The checkpoints under a storage root ({@code s3://bucket/prefix}, {@code gs://}, file). */
  static CheckpointRepository open(String root) {
    StoreFactory.UriSettings settings = new StoreFactory.UriSettings();
    S3Server s3 = Backends.shared().s3;
    settings.s3 =
        new S3Settings()
            .endpoint(s3.endpoint())
            .region(s3.region())
            .pathStyle(true)
            .credentials(s3.accessKey(), s3.secretKey(), null);
    return new CheckpointRepository(
        StoreFactory.open(StorageUri.parse(root), settings), TransferOptions.defaults());
  }

  /** The root of a checkpoint's URI: everything before {@code /<namespace>/<pod>/<dir>}. */
  static String rootOf(String checkpointUri) {
    String u = checkpointUri.replaceAll("/+$", "");
    for (int i = 0; i < 3; i++) {
      u = u.substring(0, u.lastIndexOf('/'));
    }
    return u;
  }

  /** The manifest of the checkpoint at {@code uri}, or null when it has none. */
  static CheckpointManifest manifest(String checkpointUri) {
    try (CheckpointRepository repo = open(rootOf(checkpointUri))) {
      return repo.readManifest(URI.create(checkpointUri));
    } catch (dev.stasis.storage.NoSuchObjectException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Object names (relative to the checkpoint directory) under a checkpoint's URI. */
  static List<String> objects(String checkpointUri) {
    try (CheckpointRepository repo = open(rootOf(checkpointUri))) {
      String dir =
          checkpointUri.replaceAll("/+$", "").substring(rootOf(checkpointUri).length() + 1);
      String prefix = repo.location().key(dir + "/");
      return repo.location().store().list(prefix).stream()
          .map(o -> o.key().substring(prefix.length()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Bytes stored under a checkpoint's URI, every object counted ({@code aws s3 ls --summarize}).
   */
  static long totalBytes(String checkpointUri) {
    try (CheckpointRepository repo = open(rootOf(checkpointUri))) {
      String dir =
          checkpointUri.replaceAll("/+$", "").substring(rootOf(checkpointUri).length() + 1);
      return repo.location().store().list(repo.location().key(dir + "/")).stream()
          .mapToLong(ObjectInfo::size)
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every checkpoint directory of a namespace under a root, whole or not: directory URI to its
   * object names. What a reader must never take for a checkpoint is a directory without a manifest.
   */
  static Map<String, TreeSet<String>> directories(String root, String namespace) {
    try (CheckpointRepository repo = open(root)) {
      String prefix = repo.location().key(namespace + "/");
      Map<String, TreeSet<String>> out = new TreeMap<>();
      for (ObjectInfo o : repo.location().store().list(prefix)) {
        String[] parts = o.key().substring(prefix.length()).split("/", 3);
        if (parts.length == 3) {
          String dir = root + "/" + namespace + "/" + parts[0] + "/" + parts[1];
          out.computeIfAbsent(dir, d -> new TreeSet<>()).add(parts[2]);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The checkpoints {@code stasis ls} lists for a namespace under a root (those with a manifest).
   */
  static List<String> listed(String root, String namespace) {
    try (CheckpointRepository repo = open(root)) {
      return repo.list(namespace).stream().map(e -> e.uri().toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code stasis verify}: reads every archive back against the manifest's sizes and SHA-256. */
  static void verify(String checkpointUri) {
    try (CheckpointRepository repo = open(rootOf(checkpointUri))) {
      repo.verify(URI.create(checkpointUri), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
