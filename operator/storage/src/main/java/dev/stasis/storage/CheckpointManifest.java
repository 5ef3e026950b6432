package dev.stasis.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.stasis.api.Stasis;
import dev.stasis.api.v1alpha1.Compression;
import java.io.IOException;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code manifest.json}: written last into a checkpoint's directory; a checkpoint exists if and
 * only if its manifest does. See docs/storage.md for the format.
 *
 * @param apiVersion {@value Stasis#API_VERSION}
 * @param kind {@value #KIND}
 * @param formatVersion the manifest format version, {@value #FORMAT_VERSION}; readers refuse newer
 * @param checkpoint the checkpoint's identity
 * @param node the node the pod ran on
 * @param createdAt when the checkpoint was taken
 * @param podSpec the pod's spec (JSON, as the API server returned it) to restore
 * @param podMetadata the pod's labels and annotations; null in manifests written before Stasis kept
 *     them (they still read)
 * @param containers one entry per container archive
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "apiVersion",
  "kind",
  "formatVersion",
  "checkpoint",
  "node",
  "createdAt",
  "podSpec",
  "podMetadata",
  "containers"
})
public record CheckpointManifest(
    String apiVersion,
    String kind,
    int formatVersion,
    Identity checkpoint,
    String node,
    Instant createdAt,
    JsonNode podSpec,
    PodMetadata podMetadata,
    List<Container> containers) {

  public static final String KIND = "CheckpointManifest";
  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";

  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * The checkpointed pod's {@code metadata.labels} and {@code metadata.annotations}. Never null
   * once read or built: a missing map is empty.
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"labels", "annotations"})
  public record PodMetadata(Map<String, String> labels, Map<String, String> annotations) {
    public static final PodMetadata EMPTY = new PodMetadata(Map.of(), Map.of());

    public PodMetadata {
      labels = sorted(labels);
      annotations = sorted(annotations);
    }

    /** Keys in order (a stable manifest); null keys or values are dropped. */
    private static Map<String, String> sorted(Map<String, String> m) {
      if (m == null || m.isEmpty()) {
        return Map.of();
      }
      TreeMap<String, String> out = new TreeMap<>();
      m.forEach(
          (k, v) -> {
            if (k != null && v != null) {
              out.put(k, v);
            }
          });
      return Collections.unmodifiableSortedMap(out);
    }

    /** Null when there is nothing to keep (the manifest then has no {@code podMetadata}). */
    public static PodMetadata of(Map<String, String> labels, Map<String, String> annotations) {
      PodMetadata m = new PodMetadata(labels, annotations);
      return m.labels().isEmpty() && m.annotations().isEmpty() ? null : m;
    }
  }

  /** The pod's labels and annotations; {@link PodMetadata#EMPTY} when the manifest has none. */
  public PodMetadata podMetadataOrEmpty() {
    return podMetadata == null ? PodMetadata.EMPTY : podMetadata;
  }

  /** The checkpoint's identity. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Identity(String namespace, String pod, String name, String uid) {
    public CheckpointId toId() {
      return new CheckpointId(namespace, pod, name, uid);
    }

    public static Identity of(CheckpointId id) {
      return new Identity(id.namespace(), id.pod(), id.name(), id.uid());
    }
  }

  /**
   * One container's archive.
   *
   * @param name container name
   * @param image the container's image
   * @param object the archive's object name, relative to the checkpoint directory
   * @param compression zstd, lz4, gzip or none
   * @param archiveBytes bytes of the kubelet's archive
   * @param storedBytes bytes of the stored object
   * @param sha256 SHA-256 of the kubelet's archive, hex
   * @param storedSha256 SHA-256 of the stored object, hex
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({
    "name",
    "image",
    "object",
    "compression",
    "archiveBytes",
    "storedBytes",
    "sha256",
    "storedSha256"
  })
  public record Container(
      String name,
      String image,
      String object,
      Compression compression,
      long archiveBytes,
      long storedBytes,
      String sha256,
      String storedSha256) {

    public Expected expected() {
      return new Expected(archiveBytes, sha256, storedBytes, storedSha256);
    }
  }

  public static CheckpointManifest create(
      CheckpointId id,
      String node,
      Instant createdAt,
      JsonNode podSpec,
      List<Container> containers) {
    return create(id, node, createdAt, podSpec, null, containers);
  }

  /**
   * A new manifest; {@code podMetadata} may be null (or empty: then it is left out of the JSON).
   */
  public static CheckpointManifest create(
      CheckpointId id,
      String node,
      Instant createdAt,
      JsonNode podSpec,
      PodMetadata podMetadata,
      List<Container> containers) {
    return new CheckpointManifest(
        Stasis.API_VERSION,
        KIND,
        FORMAT_VERSION,
        Identity.of(id),
        node,
        createdAt,
        podSpec,
        podMetadata == null
            ? null
            : PodMetadata.of(podMetadata.labels(), podMetadata.annotations()),
        List.copyOf(containers));
  }

  /** The container entry named {@code name}, or null. */
  public Container container(String name) {
    return containers == null
        ? null
        : containers.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
  }

  /** Total stored bytes of all archives. */
  public long storedBytes() {
    return containers == null ? 0 : containers.stream().mapToLong(Container::storedBytes).sum();
  }

  public byte[] toJson() {
    try {
      return MAPPER.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses and checks a manifest; {@code source} names it in errors. */
  public static CheckpointManifest parse(byte[] json, String source) throws IntegrityException {
    CheckpointManifest m;
    try {
      m = MAPPER.readValue(json, CheckpointManifest.class);
    } catch (IOException e) {
      throw new IntegrityException(source + " is not a valid manifest: " + e.getMessage(), e);
    }
    if (!KIND.equals(m.kind())) {
      throw new IntegrityException(source + " is not a " + KIND + " (kind: " + m.kind() + ")");
    }
    if (m.formatVersion() < 1 || m.formatVersion() > FORMAT_VERSION) {
      throw new IntegrityException(
          source
              + " has manifest format "
              + m.formatVersion()
              + "; this Stasis reads up to "
              + FORMAT_VERSION);
    }
    if (m.checkpoint() == null || m.containers() == null) {
      throw new IntegrityException(source + " lacks checkpoint or containers");
    }
    for (Container c : m.containers()) {
      if (c.name() == null
          || c.object() == null
          || c.object().contains("/")
          || c.sha256() == null
          || c.compression() == null) {
        throw new IntegrityException(source + " has an incomplete container entry: " + c);
      }
    }
    return m;
  }
}
