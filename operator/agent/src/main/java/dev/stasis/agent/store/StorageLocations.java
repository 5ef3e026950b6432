package dev.stasis.agent.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stasis.agent.v1.StorageConfig;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.SecretRef;
import dev.stasis.storage.StorageLocation;
import dev.stasis.storage.StorageUri;
import dev.stasis.storage.StoreFactory;
import dev.stasis.storage.s3.S3Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Opens the storage-engine {@link StorageLocation} a URI names, with the operator's {@link
 * StorageConfig}. Building the stores is the storage module's {@link StoreFactory}; what is left
 * here is the adapter from the wire form to the factory's inputs, which the factory cannot do
 * itself because it does not know the agent's protobuf messages:
 *
 * <ul>
 *   <li>No spec (a Checkpoint's {@code dir}): {@link StoreFactory#open(StorageUri,
 *       StoreFactory.UriSettings)} with the agent's environment (AWS_* variables, else the AWS
 *       default chain; Application Default Credentials for GCS).
 *   <li>A spec: its JSON is parsed, the Secret values and the resolved members that came along are
 *       offered to {@link StoreFactory#open(String, CheckpointStorageSpec, StoreFactory.Context)}
 *       as a {@link StoreFactory.Context}. The factory roots the location at the spec's own prefix;
 *       the agent is handed a URI under it (a destination {@code stasis://global/team}, or a
 *       checkpoint directory's root), so the location is re-rooted at that URI after checking that
 *       it lies inside the storage.
 * </ul>
 */
public final class StorageLocations {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          // Fields of CheckpointStorageSpec are only ever added; an older agent ignores new ones.
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Map<String, String> env;
  private final S3Settings s3Tuning;

  /** Locations with the storage module's default S3 tuning (part sizes, connections, retries). */
  public StorageLocations(Map<String, String> env) {
    this(env, new S3Settings());
  }

  /**
   * @param env the agent's environment (AWS_* for URIs without a spec)
   * @param s3Tuning minimum part size, connections and retry attempts for every S3 store; the other
   *     fields are ignored (they come from the spec or the environment)
   */
  public StorageLocations(Map<String, String> env, S3Settings s3Tuning) {
    this.env = Map.copyOf(env);
    this.s3Tuning = s3Tuning;
  }

  /**
   * The location {@code uri} names (bucket, directory or replicated store, and the URI's path as
   * prefix). Any failure to build the store, including a spec the factory refuses, is an {@link
   * IOException} whose message names the URI and never holds a secret.
   */
  public StorageLocation open(String uri, StorageConfig config) throws IOException {
    StorageUri u;
    try {
      u = StorageUri.parse(uri);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    CheckpointStorageSpec spec = spec(config);
    try {
      if (spec == null) {
        return StoreFactory.open(u, uriSettings());
      }
      String name = config.getName().isBlank() ? u.authority() : config.getName();
      return within(StoreFactory.open(name, spec, context(config, spec)), u, name);
    } catch (RuntimeException e) {
      throw new IOException(
          "cannot open " + uri + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()),
          e);
    }
  }

  private StoreFactory.UriSettings uriSettings() {
    StoreFactory.UriSettings s = new StoreFactory.UriSettings();
    s.s3 = tuned(S3Settings.fromEnvironment(env));
    return s;
  }

  private S3Settings tuned(S3Settings s) {
    return s.minPartSize(s3Tuning.minPartSize())
        .maxConnections(s3Tuning.maxConnections())
        .sdkMaxAttempts(s3Tuning.sdkMaxAttempts())
        .partMaxAttempts(s3Tuning.partMaxAttempts());
  }

  /**
   * The factory's view of one StorageConfig: Secret references resolve to the values that came with
   * the spec that holds the reference (by identity: SecretRef has no equals, and two members may
   * name Secrets alike in different namespaces), members by name.
   */
  private StoreFactory.Context context(StorageConfig config, CheckpointStorageSpec spec)
      throws IOException {
    Map<SecretRef, Map<String, String>> secrets = new IdentityHashMap<>();
    Map<String, CheckpointStorageSpec> members = new HashMap<>();
    register(secrets, spec, config);
    for (StorageConfig m : config.getMembersList()) {
      CheckpointStorageSpec ms = spec(m);
      if (ms == null) {
        throw new IOException(
            "member " + m.getName() + " of storage " + config.getName() + " came without a spec");
      }
      register(secrets, ms, m);
      members.put(m.getName(), ms);
    }
    return StoreFactory.context(secrets::get, members::get, tuned(new S3Settings()));
  }

  /**
   * Offers the config's Secret values for the Secret its spec names. A spec naming a Secret whose
   * values did not come along is opened with the agent's ambient credentials instead: that is how
   * the journal's storage settings are used after a restart (the journal never holds secrets), to
   * delete what an unfinished job left. The operator never sends a spec without the values of the
   * Secret it names (it fails the Checkpoint first), so live jobs always use the Secret.
   */
  private static void register(
      Map<SecretRef, Map<String, String>> secrets,
      CheckpointStorageSpec spec,
      StorageConfig config) {
    Map<String, String> values = new LinkedHashMap<>();
    config.getCredentialsMap().forEach((k, v) -> values.put(k, v.toString(StandardCharsets.UTF_8)));
    if (spec.getS3() != null && spec.getS3().getCredentialsSecret() != null) {
      if (values.isEmpty()) {
        spec.getS3().setCredentialsSecret(null);
      } else {
        secrets.put(spec.getS3().getCredentialsSecret(), values);
      }
    }
    if (spec.getGcs() != null && spec.getGcs().getCredentialsSecret() != null) {
      if (values.isEmpty()) {
        spec.getGcs().setCredentialsSecret(null);
      } else {
        secrets.put(spec.getGcs().getCredentialsSecret(), values);
      }
    }
  }

  /**
   * {@code base} (the storage as the factory opened it) re-rooted at {@code uri}, which must lie in
   * the same store and under the storage's prefix.
   */
  static StorageLocation within(StorageLocation base, StorageUri uri, String name) {
    StorageUri storeRoot = StorageUri.of(base.store().uri(""));
    StorageUri storageRoot = StorageUri.of(base.uri());
    if (!storeRoot.scheme().equals(uri.scheme())
        || !storeRoot.authority().equals(uri.authority())
        || !under(uri.path(), storageRoot.path())) {
      String root = storageRoot.toString();
      base.close();
      throw new IllegalArgumentException(
          uri + " is not inside storage " + name + " (" + root + ")");
    }
    String path = uri.path();
    String prefix =
        storeRoot.path().isEmpty()
            ? path
            : path.equals(storeRoot.path()) ? "" : path.substring(storeRoot.path().length() + 1);
    return new StorageLocation(base.store(), prefix);
  }

  private static boolean under(String path, String root) {
    return root.isEmpty() || path.equals(root) || path.startsWith(root + "/");
  }

  private static CheckpointStorageSpec spec(StorageConfig config) throws IOException {
    if (config == null || config.getSpecJson().isBlank()) {
      return null;
    }
    try {
      return JSON.readValue(config.getSpecJson(), CheckpointStorageSpec.class);
    } catch (IOException e) {
      throw new IOException(
          "the spec of storage " + config.getName() + " is not a CheckpointStorageSpec: " + e, e);
    }
  }
}
