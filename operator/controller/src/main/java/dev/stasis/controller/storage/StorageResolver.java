package dev.stasis.controller.storage;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.CheckpointStorage;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.SecretRef;
import dev.stasis.controller.agent.StorageConfig;
import dev.stasis.controller.status.Reasons;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a CheckpointStorage (or a dir / path URI) into a {@link StorageLocation}: its root URI and
 * the configuration the agent and the catalog need, with the credential Secret's data read from the
 * cluster (the Secret's namespace defaults to the operator's).
 */
public final class StorageResolver {
  private final KubernetesClient client;
  private final String operatorNamespace;

  public StorageResolver(KubernetesClient client, String operatorNamespace) {
    this.client = client;
    this.operatorNamespace = operatorNamespace;
  }

  /** The storage as a URI: s3://bucket/prefix, gs://bucket/prefix, file:///path, stasis://name. */
  public static String rootUri(CheckpointStorage storage) {
    return rootUri(storage.getMetadata().getName(), storage.getSpec());
  }

  /** As {@link #rootUri(CheckpointStorage)}, from a name and a spec. */
  public static String rootUri(String name, CheckpointStorageSpec spec) {
    if (spec.getS3() != null) {
      return join("s3://" + spec.getS3().getBucket(), spec.getS3().getPrefix());
    }
    if (spec.getGcs() != null) {
      return join("gs://" + spec.getGcs().getBucket(), spec.getGcs().getPrefix());
    }
    if (spec.getFilesystem() != null) {
      return "file://" + spec.getFilesystem().getPath();
    }
    return Stasis.SCHEME_REPLICATED + "://" + name;
  }

  private static String join(String base, String prefix) {
    if (prefix == null || prefix.isBlank()) {
      return base;
    }
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return base + "/" + p;
  }

  public StorageLocation resolve(CheckpointStorage storage) throws StorageUnavailableException {
    return new StorageLocation(
        storage.getMetadata().getName(), rootUri(storage), config(storage, 0));
  }

  /**
   * A {@code dir} URI: bare for s3/gs/file (the agent's ambient credentials), and for {@code
   * stasis://<name>/...} the replicated storage of that name with its members.
   */
  public StorageLocation resolveDir(String uri) throws StorageUnavailableException {
    if (uri.startsWith(Stasis.SCHEME_REPLICATED + "://")) {
      String rest = uri.substring((Stasis.SCHEME_REPLICATED + "://").length());
      String name = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
      CheckpointStorage storage = get(name);
      if (storage == null) {
        throw new StorageUnavailableException(
            Reasons.STORAGE_NOT_FOUND,
            "dir "
                + uri
                + " names the replicated CheckpointStorage '"
                + name
                + "', which does not exist");
      }
      return new StorageLocation(name, uri, config(storage, 0));
    }
    return StorageLocation.bare(uri);
  }

  /**
   * The location a checkpoint directory URI lives in: the CheckpointStorage whose root is a prefix
   * of it (longest first), else the URI's own root with ambient credentials.
   */
  public StorageLocation forCheckpointUri(String checkpointUri, List<CheckpointStorage> storages)
      throws StorageUnavailableException {
    CheckpointStorage best = null;
    int bestLength = -1;
    for (CheckpointStorage s : storages) {
      String root = rootUri(s);
      if ((checkpointUri.equals(root) || checkpointUri.startsWith(root + "/"))
          && root.length() > bestLength) {
        best = s;
        bestLength = root.length();
      }
    }
    if (best != null) {
      return resolve(best);
    }
    return resolveDir(checkpointUri);
  }

  private CheckpointStorage get(String name) {
    return client.resources(CheckpointStorage.class).withName(name).get();
  }

  private StorageConfig config(CheckpointStorage storage, int depth)
      throws StorageUnavailableException {
    CheckpointStorageSpec spec = storage.getSpec();
    String name = storage.getMetadata().getName();
    Map<String, byte[]> credentials = Map.of();
    if (spec.getS3() != null && spec.getS3().getCredentialsSecret() != null) {
      credentials =
          secret(
              name,
              spec.getS3().getCredentialsSecret(),
              "AWS_ACCESS_KEY_ID",
              "AWS_SECRET_ACCESS_KEY");
    } else if (spec.getGcs() != null && spec.getGcs().getCredentialsSecret() != null) {
      credentials = secret(name, spec.getGcs().getCredentialsSecret(), "credentials.json");
    }
    List<StorageConfig> members = new ArrayList<>();
    if (spec.getReplicated() != null) {
      if (depth > 0) {
        throw new StorageUnavailableException(
            Reasons.INVALID_CONFIG,
            "replicated storage '" + name + "' cannot be a member of another");
      }
      for (String member : spec.getReplicated().getMembers()) {
        CheckpointStorage m = get(member);
        if (m == null) {
          throw new StorageUnavailableException(
              Reasons.STORAGE_NOT_FOUND,
              "member CheckpointStorage '" + member + "' of '" + name + "' does not exist");
        }
        if (m.getSpec().getReplicated() != null) {
          throw new StorageUnavailableException(
              Reasons.INVALID_CONFIG,
              "member '"
                  + member
                  + "' of '"
                  + name
                  + "' is itself replicated; members must be s3, gcs or filesystem");
        }
        members.add(config(m, depth + 1));
      }
    }
    return new StorageConfig(name, Serialization.asJson(spec), credentials, members);
  }

  private Map<String, byte[]> secret(String storage, SecretRef ref, String... requiredKeys)
      throws StorageUnavailableException {
    String namespace =
        ref.getNamespace() == null || ref.getNamespace().isBlank()
            ? operatorNamespace
            : ref.getNamespace();
    Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
    if (secret == null) {
      throw new StorageUnavailableException(
          Reasons.CREDENTIALS_NOT_FOUND,
          "credentials Secret "
              + namespace
              + "/"
              + ref.getName()
              + " of CheckpointStorage '"
              + storage
              + "' does not exist");
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    for (String key : requiredKeys) {
      if (!data.containsKey(key)) {
        throw new StorageUnavailableException(
            Reasons.CREDENTIALS_NOT_FOUND,
            "credentials Secret " + namespace + "/" + ref.getName() + " has no key " + key);
      }
    }
    return data;
  }
}
