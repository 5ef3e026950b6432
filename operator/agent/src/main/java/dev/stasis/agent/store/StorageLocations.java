package dev.stasis.agent.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.agent.v1.StorageConfig;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.GcsStorageSpec;
import dev.stasis.api.v1alpha1.S3StorageSpec;
import dev.stasis.storage.ObjectStore;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import dev.stasis.storage.fs.FileObjectStore;
import dev.stasis.storage.gcs.GcsClients;
import dev.stasis.storage.gcs.GcsObjectStore;
import dev.stasis.storage.replicated.ReplicatedObjectStore;
import dev.stasis.storage.s3.S3ObjectStore;
import dev.stasis.storage.s3.S3Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a location URI plus the operator's {@link StorageConfig} (CheckpointStorageSpec JSON and
 * secret values) into a storage-engine {@link StorageLocation}. Without a spec the URI alone is
 * used, with the agent's environment (AWS_* variables, Application Default Credentials).
 */
public final class StorageLocations {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> env;

  public StorageLocations(Map<String, String> env) {
    this.env = env;
  }

  /** The location {@code uri} names (bucket / directory / replicated store, and a prefix). */
  public StorageLocation open(String uri, StorageConfig config) throws IOException {
    StorageUri u = StorageUri.parse(uri);
    CheckpointStorageSpec spec = spec(config);
    ObjectStore store =
        switch (u.scheme()) {
          case "file" -> new FileObjectStore(Path.of("/" + u.path()));
          case "s3" -> s3(u.authority(), spec == null ? null : spec.getS3(), config);
          case "gs" -> gcs(u.authority(), spec == null ? null : spec.getGcs(), config);
          case "stasis" -> replicated(u.authority(), spec, config);
          default -> throw new IOException("unsupported storage URI " + uri);
        };
    return new StorageLocation(store, u.scheme().equals("file") ? "" : u.path());
  }

  private static CheckpointStorageSpec spec(StorageConfig config) throws IOException {
    if (config == null || config.getSpecJson().isBlank()) {
      return null;
    }
    return JSON.readValue(config.getSpecJson(), CheckpointStorageSpec.class);
  }

  private S3ObjectStore s3(String bucket, S3StorageSpec spec, StorageConfig config) {
    S3Settings s = S3Settings.fromEnvironment(env);
    if (spec != null) {
      if (spec.getRegion() != null && !spec.getRegion().isBlank()) {
        s.region(spec.getRegion());
      }
      if (spec.getEndpoint() != null && !spec.getEndpoint().isBlank()) {
        s.endpoint(spec.getEndpoint());
      }
      if (Boolean.TRUE.equals(spec.getForcePathStyle())) {
        s.pathStyle(true);
      }
      if (spec.getStorageClass() != null && !spec.getStorageClass().isBlank()) {
        s.storageClass(spec.getStorageClass());
      }
      if (spec.getServerSideEncryption() != null
          && spec.getServerSideEncryption().getAlgorithm() != null) {
        String alg =
            switch (spec.getServerSideEncryption().getAlgorithm()) {
              case AES256 -> "AES256";
              case AWS_KMS -> "aws:kms";
              case AWS_KMS_DSSE -> "aws:kms:dsse";
            };
        s.serverSideEncryption(alg, spec.getServerSideEncryption().getKmsKeyId());
      }
    }
    String id = secret(config, "AWS_ACCESS_KEY_ID");
    String key = secret(config, "AWS_SECRET_ACCESS_KEY");
    if (id != null && key != null) {
      s.credentials(id, key, secret(config, "AWS_SESSION_TOKEN"));
    }
    return S3ObjectStore.create(bucket, s);
  }

  private GcsObjectStore gcs(String bucket, GcsStorageSpec spec, StorageConfig config) {
    String project = spec == null ? null : spec.getProject();
    return new GcsObjectStore(
        GcsClients.build(project, secret(config, "credentials.json")), bucket, true);
  }

  private ReplicatedObjectStore replicated(
      String name, CheckpointStorageSpec spec, StorageConfig config) throws IOException {
    if (spec == null || spec.getReplicated() == null) {
      throw new IOException(
          "stasis://" + name + " needs the replicated CheckpointStorage's spec and its members");
    }
    List<ReplicatedObjectStore.Member> members = new ArrayList<>();
    for (StorageConfig m : config.getMembersList()) {
      CheckpointStorageSpec ms = spec(m);
      if (ms == null) {
        throw new IOException("member " + m.getName() + " of " + name + " has no spec");
      }
      String root;
      if (ms.getS3() != null) {
        root = "s3://" + ms.getS3().getBucket() + "/" + nz(ms.getS3().getPrefix());
      } else if (ms.getGcs() != null) {
        root = "gs://" + ms.getGcs().getBucket() + "/" + nz(ms.getGcs().getPrefix());
      } else if (ms.getFilesystem() != null) {
        root = "file://" + ms.getFilesystem().getPath();
      } else {
        throw new IOException(
            "member " + m.getName() + " of " + name + " must be s3, gcs or filesystem");
      }
      members.add(new ReplicatedObjectStore.Member(m.getName(), open(root, m)));
    }
    return new ReplicatedObjectStore(name, members, spec.getReplicated().effectiveWriteQuorum());
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static String secret(StorageConfig config, String key) {
    if (config == null || !config.containsCredentials(key)) {
      return null;
    }
    return config.getCredentialsOrThrow(key).toString(StandardCharsets.UTF_8);
  }
}
