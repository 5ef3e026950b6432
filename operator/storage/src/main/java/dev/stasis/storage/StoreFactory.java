package dev.stasis.storage;

import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.GcsStorageSpec;
import dev.stasis.api.v1alpha1.ReplicatedStorageSpec;
import dev.stasis.api.v1alpha1.S3StorageSpec;
import dev.stasis.api.v1alpha1.SecretRef;
import dev.stasis.storage.fs.FileObjectStore;
import dev.stasis.storage.gcs.GcsClients;
import dev.stasis.storage.gcs.GcsObjectStore;
import dev.stasis.storage.replicated.ReplicatedObjectStore;
import dev.stasis.storage.s3.S3ObjectStore;
import dev.stasis.storage.s3.S3Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds stores: from a CheckpointStorage's spec (the operator and the agent) or from a URI and
 * settings (the command line).
 */
public final class StoreFactory {
  private StoreFactory() {}

  /** What a spec may refer to: Secrets (by reference) and other CheckpointStorages (by name). */
  public interface Context {
    /** The decoded values of a Secret, for example AWS_ACCESS_KEY_ID; empty map if none. */
    Map<String, String> secret(SecretRef ref);

    /** The spec of the CheckpointStorage named {@code name} (replicated members), or null. */
    CheckpointStorageSpec storage(String name);

    /** Settings applied to every S3 store on top of the spec (for tests: minimum part size). */
    default S3Settings s3Defaults() {
      return new S3Settings();
    }
  }

  /** A context from plain maps. */
  public static Context context(
      Function<SecretRef, Map<String, String>> secrets,
      Function<String, CheckpointStorageSpec> storages) {
    return context(secrets, storages, new S3Settings());
  }

  /** A context from plain maps, with settings for every S3 store it opens. */
  public static Context context(
      Function<SecretRef, Map<String, String>> secrets,
      Function<String, CheckpointStorageSpec> storages,
      S3Settings s3Defaults) {
    return new Context() {
      @Override
      public Map<String, String> secret(SecretRef ref) {
        Map<String, String> m = secrets == null ? null : secrets.apply(ref);
        return m == null ? Map.of() : m;
      }

      @Override
      public CheckpointStorageSpec storage(String name) {
        return storages == null ? null : storages.apply(name);
      }

      @Override
      public S3Settings s3Defaults() {
        return s3Defaults;
      }
    };
  }

  /**
   * The location of the CheckpointStorage {@code name}. Credentials: the Secret's values when the
   * spec names one, else the provider's default chain (IRSA / EKS Pod Identity via the AWS default
   * credentials provider, GKE Workload Identity via Application Default Credentials).
   */
  public static StorageLocation open(String name, CheckpointStorageSpec spec, Context ctx) {
    if (spec.getS3() != null) {
      S3StorageSpec s = spec.getS3();
      S3Settings settings = s3Settings(s, ctx);
      return new StorageLocation(S3ObjectStore.create(s.getBucket(), settings), s.getPrefix());
    }
    if (spec.getGcs() != null) {
      GcsStorageSpec g = spec.getGcs();
      String json = null;
      if (g.getCredentialsSecret() != null) {
        json = ctx.secret(g.getCredentialsSecret()).get("credentials.json");
        if (json == null) {
          throw new IllegalArgumentException(
              "Secret " + g.getCredentialsSecret().getName() + " has no key credentials.json");
        }
      }
      return new StorageLocation(
          new GcsObjectStore(GcsClients.build(g.getProject(), json), g.getBucket(), true),
          g.getPrefix());
    }
    if (spec.getFilesystem() != null) {
      return new StorageLocation(new FileObjectStore(Path.of(spec.getFilesystem().getPath())), "");
    }
    if (spec.getReplicated() != null) {
      return new StorageLocation(replicated(name, spec.getReplicated(), ctx), "");
    }
    throw new IllegalArgumentException("CheckpointStorage " + name + " names no backend");
  }

  private static ReplicatedObjectStore replicated(
      String name, ReplicatedStorageSpec r, Context ctx) {
    List<ReplicatedObjectStore.Member> members = new ArrayList<>();
    try {
      for (String m : r.getMembers()) {
        CheckpointStorageSpec ms = ctx.storage(m);
        if (ms == null) {
          throw new IllegalArgumentException(
              "member " + m + " of replicated storage " + name + " does not exist");
        }
        if (ms.getReplicated() != null) {
          throw new IllegalArgumentException(
              "member " + m + " of replicated storage " + name + " is itself replicated");
        }
        members.add(new ReplicatedObjectStore.Member(m, open(m, ms, ctx)));
      }
    } catch (RuntimeException e) {
      members.forEach(m -> m.location().close());
      throw e;
    }
    return new ReplicatedObjectStore(name, members, r.effectiveWriteQuorum());
  }

  static S3Settings s3Settings(S3StorageSpec s, Context ctx) {
    S3Settings d = ctx.s3Defaults();
    S3Settings settings =
        new S3Settings()
            .region(s.getRegion())
            .endpoint(s.getEndpoint())
            .pathStyle(Boolean.TRUE.equals(s.getForcePathStyle()) ? Boolean.TRUE : null)
            .storageClass(s.getStorageClass())
            .minPartSize(d.minPartSize())
            .maxConnections(d.maxConnections())
            .sdkMaxAttempts(d.sdkMaxAttempts())
            .partMaxAttempts(d.partMaxAttempts());
    if (s.getServerSideEncryption() != null && s.getServerSideEncryption().getAlgorithm() != null) {
      String alg =
          switch (s.getServerSideEncryption().getAlgorithm()) {
            case AES256 -> "AES256";
            case AWS_KMS -> "aws:kms";
            case AWS_KMS_DSSE -> "aws:kms:dsse";
          };
      settings.serverSideEncryption(alg, s.getServerSideEncryption().getKmsKeyId());
    }
    if (s.getCredentialsSecret() != null) {
      Map<String, String> secret = ctx.secret(s.getCredentialsSecret());
      if (secret.get("AWS_ACCESS_KEY_ID") == null || secret.get("AWS_SECRET_ACCESS_KEY") == null) {
        throw new IllegalArgumentException(
            "Secret "
                + s.getCredentialsSecret().getName()
                + " needs keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
      }
      settings.credentials(
          secret.get("AWS_ACCESS_KEY_ID"),
          secret.get("AWS_SECRET_ACCESS_KEY"),
          secret.get("AWS_SESSION_TOKEN"));
    }
    return settings;
  }

  /** Settings for opening a URI (the command line). */
  public static final class UriSettings {
    public S3Settings s3 = new S3Settings();
    public String gcsProject;
    public String gcsCredentialsJson;

    /** Resolves {@code stasis://<name>}: the named CheckpointStorages. */
    public Context context;
  }

  /**
   * The store a URI lives in, with the URI's path as prefix. {@code file:///p} gives a store rooted
   * at {@code /} with prefix {@code p}; {@code stasis://name/p} needs {@code settings.context} to
   * know the member storages.
   */
  public static StorageLocation open(StorageUri uri, UriSettings settings) {
    return switch (uri.scheme()) {
      case Stasis.SCHEME_S3 ->
          new StorageLocation(S3ObjectStore.create(uri.authority(), settings.s3), uri.path());
      case Stasis.SCHEME_GCS ->
          new StorageLocation(
              new GcsObjectStore(
                  GcsClients.build(settings.gcsProject, settings.gcsCredentialsJson),
                  uri.authority(),
                  true),
              uri.path());
      case Stasis.SCHEME_FILE -> new StorageLocation(new FileObjectStore(Path.of("/")), uri.path());
      case Stasis.SCHEME_REPLICATED -> {
        if (settings.context == null) {
          throw new IllegalArgumentException(
              uri
                  + ": stasis:// URIs name a replicated CheckpointStorage; give its definition"
                  + " and its members' with --storages FILE (kubectl get checkpointstorages -o"
                  + " yaml)");
        }
        CheckpointStorageSpec spec = settings.context.storage(uri.authority());
        if (spec == null || spec.getReplicated() == null) {
          throw new IllegalArgumentException(
              "no replicated CheckpointStorage named " + uri.authority());
        }
        yield new StorageLocation(
            replicated(uri.authority(), spec.getReplicated(), settings.context), uri.path());
      }
      default -> throw new IllegalArgumentException("unsupported scheme: " + uri.scheme());
    };
  }
}
