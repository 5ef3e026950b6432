package dev.stasis.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stasis.agent.JobFailure;
import dev.stasis.agent.api.Reasons;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import land.oras.Config;
import land.oras.ContainerRef;
import land.oras.Layer;
import land.oras.Manifest;
import land.oras.Registry;
import land.oras.auth.UsernamePasswordProvider;
import land.oras.exception.OrasException;

/**
 * Builds and pushes a checkpoint OCI image: one uncompressed tar layer that is the kubelet's
 * archive byte for byte, an OCI image config naming it as the only diff id, and the manifest
 * annotations CRI-O ({@code io.kubernetes.cri-o.annotations.checkpoint.name}) and containerd 2.1+
 * ({@code org.criu.checkpoint.container.name}) look for. Tagged {@code
 * <registry>/<repository>:<checkpoint uid>-<container>}. The registry protocol is the ORAS Java
 * SDK's (land.oras): it pushes blobs and manifests with arbitrary annotations, speaks plain HTTP to
 * loopback / in-cluster registries, and does basic and bearer-token auth.
 */
public class CheckpointImagePusher {
  public static final String CRIO_ANNOTATION = "io.kubernetes.cri-o.annotations.checkpoint.name";
  public static final String CRIU_ANNOTATION = "org.criu.checkpoint.container.name";
  public static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";
  public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The result of a push. */
  public record Pushed(String reference, String digest) {}

  /** Registry credentials, from a dockerconfigjson; null fields for anonymous access. */
  public record Credentials(String username, String password) {
    public static final Credentials ANONYMOUS = new Credentials(null, null);

    @Override
    public String toString() {
      return username == null ? "anonymous" : "user " + username;
    }
  }

  /** The tag of a container's image: {@code <checkpoint uid>-<container>}. */
  public static String tag(String checkpointUid, String container) {
    return checkpointUid + "-" + container;
  }

  /**
   * The credentials for {@code registryHost} in a dockerconfigjson ({@code auths.<host>.auth} or
   * {@code username}/{@code password}); anonymous when it has none.
   */
  public static Credentials credentialsFor(byte[] dockerConfigJson, String registryHost)
      throws IOException {
    if (dockerConfigJson == null || dockerConfigJson.length == 0) {
      return Credentials.ANONYMOUS;
    }
    JsonNode auths = JSON.readTree(dockerConfigJson).path("auths");
    for (var it = auths.fields(); it.hasNext(); ) {
      var e = it.next();
      String key = e.getKey().replaceFirst("^https?://", "");
      int slash = key.indexOf('/');
      if (slash >= 0) {
        key = key.substring(0, slash);
      }
      if (!key.equalsIgnoreCase(registryHost)) {
        continue;
      }
      JsonNode a = e.getValue();
      if (a.hasNonNull("username")) {
        return new Credentials(a.path("username").asText(), a.path("password").asText(""));
      }
      if (a.hasNonNull("auth")) {
        String decoded =
            new String(Base64.getDecoder().decode(a.path("auth").asText()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        if (colon > 0) {
          return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
      }
    }
    return Credentials.ANONYMOUS;
  }

  /**
   * Pushes {@code archive} as the checkpoint image of {@code container}.
   *
   * @param registry host[:port]
   * @param repository e.g. {@code stasis/checkpoints}
   * @param plainHttp talk HTTP instead of HTTPS
   */
  public Pushed push(
      String registry,
      String repository,
      String tag,
      String container,
      Path archive,
      Credentials credentials,
      boolean plainHttp)
      throws JobFailure {
    String reference = registry + "/" + repository + ":" + tag;
    try {
      Registry.Builder b = Registry.builder().withInsecure(plainHttp);
      if (credentials != null && credentials.username() != null) {
        b =
            b.withAuthProvider(
                new UsernamePasswordProvider(credentials.username(), credentials.password()));
      }
      Registry client = b.build();
      ContainerRef ref = ContainerRef.parse(reference);

      String diffId = "sha256:" + sha256(archive);
      Layer layer =
          client
              .pushBlob(ref, archive, Map.of())
              .withMediaType(LAYER_MEDIA_TYPE)
              .withAnnotations(Map.of("org.opencontainers.image.title", container + ".tar"));
      if (!diffId.equals(layer.getDigest())) {
        throw new JobFailure(
            Reasons.REGISTRY_PUSH_FAILED,
            "the registry stored the archive of "
                + container
                + " as "
                + layer.getDigest()
                + ", expected "
                + diffId);
      }
      byte[] configJson = imageConfig(diffId, container);
      Layer configBlob = client.pushBlob(ref, configJson);
      Config config = Config.fromBlob(CONFIG_MEDIA_TYPE, configBlob);

      Map<String, String> annotations = new LinkedHashMap<>();
      annotations.put(CRIO_ANNOTATION, container);
      annotations.put(CRIU_ANNOTATION, container);
      Manifest manifest =
          Manifest.empty()
              .withConfig(config)
              .withLayers(List.of(layer))
              .withAnnotations(annotations);
      Manifest pushed = client.pushManifest(ref, manifest);
      String digest = pushed.getDescriptor() != null ? pushed.getDescriptor().getDigest() : null;
      if (digest == null || digest.isEmpty()) {
        digest = client.probeDescriptor(ref).getDigest();
      }
      return new Pushed(reference, digest);
    } catch (OrasException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      boolean unauthorized =
          msg.contains("401")
              || msg.contains("403")
              || msg.toLowerCase().contains("unauthorized")
              || msg.toLowerCase().contains("denied")
              || msg.toLowerCase().contains("www-authenticate");
      throw new JobFailure(
          unauthorized ? Reasons.REGISTRY_UNAUTHORIZED : Reasons.REGISTRY_PUSH_FAILED,
          "pushing "
              + reference
              + " failed: "
              + msg
              + (unauthorized
                  ? " (check the dockerconfigjson in STASIS_REGISTRY_SECRET or the request)"
                  : ""),
          e);
    } catch (IOException e) {
      throw new JobFailure(
          Reasons.REGISTRY_PUSH_FAILED, "pushing " + reference + " failed: " + e.getMessage(), e);
    }
  }

  /** An OCI image config whose only layer is the checkpoint archive. */
  static byte[] imageConfig(String diffId, String container) throws IOException {
    ObjectNode c = JSON.createObjectNode();
    c.put("created", Instant.now().toString());
    c.put("architecture", goArch());
    c.put("os", "linux");
    c.putObject("config").putObject("Labels").put(CRIU_ANNOTATION, container);
    ObjectNode rootfs = c.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(diffId);
    return JSON.writeValueAsBytes(c);
  }

  private static String goArch() {
    String a = System.getProperty("os.arch", "amd64");
    return switch (a) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> a;
    };
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
