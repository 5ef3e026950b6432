package dev.stasis.storage.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.stasis.api.v1alpha1.CheckpointStorageSpec;
import dev.stasis.api.v1alpha1.SecretRef;
import dev.stasis.storage.StoreFactory;
import dev.stasis.storage.s3.S3Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Map.Entry;

/**
 * CheckpointStorages, and the Secrets they name, read from a YAML file, so that the command line
 * can open {@code stasis://<name>/...} away from the cluster. The file is what {@code kubectl get
 * checkpointstorages,secret/<name> -o yaml} prints (a {@code List}), or any number of documents
 * each holding one object. Anything else in it is an error, not skipped.
 */
final class StoragesFile {
  private static final ObjectMapper YAML =
      YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final Path file;
  private final Map<String, CheckpointStorageSpec> storages = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> secrets = new HashMap<>();

  private StoragesFile(Path file) {
    this.file = file;
  }

  /** Reads {@code file}; errors name the file and the object that is wrong. */
  static StoreFactory.Context load(Path file, S3Settings s3Defaults) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--storages " + file + ": no such file");
    }
    StoragesFile f = new StoragesFile(file);
    try (MappingIterator<JsonNode> docs =
        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      int n = 0;
      while (docs.hasNext()) {
        n++;
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue;
        }
        if (doc.path("kind").asText().endsWith("List")) {
          for (JsonNode item : doc.path("items")) {
            f.add(item, n);
          }
        } else {
          f.add(doc, n);
        }
      }
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(
          "--storages " + file + " is not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (f.storages.isEmpty()) {
      throw new IllegalArgumentException("--storages " + file + " holds no CheckpointStorage");
    }
    return f.context(s3Defaults);
  }

  private void add(JsonNode o, int document) throws IOException {
    String kind = o.path("kind").asText();
    String name = o.path("metadata").path("name").asText();
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "--storages " + file + ": document " + document + " has an object without a name");
    }
    switch (kind) {
      case "CheckpointStorage" -> {
        try {
          storages.put(name, YAML.treeToValue(o.path("spec"), CheckpointStorageSpec.class));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
          throw new IllegalArgumentException(
              "--storages " + file + ": CheckpointStorage " + name + ": " + e.getOriginalMessage(),
              e);
        }
      }
      case "Secret" -> secrets.put(name, secretValues(o, name));
      default ->
          throw new IllegalArgumentException(
              "--storages "
                  + file
                  + ": "
                  + (kind.isEmpty() ? "an object without a kind" : kind + " " + name)
                  + " (document "
                  + document
                  + "): only CheckpointStorage and Secret objects belong here");
    }
  }

  private Map<String, String> secretValues(JsonNode o, String name) {
    Map<String, String> values = new HashMap<>();
    for (Iterator<Entry<String, JsonNode>> it = o.path("data").fields(); it.hasNext(); ) {
      Entry<String, JsonNode> e = it.next();
      try {
        values.put(
            e.getKey(),
            new String(
                Base64.getMimeDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException bad) {
        // The message names the key, never the value.
        throw new IllegalArgumentException(
            "--storages " + file + ": Secret " + name + ": data." + e.getKey() + " is not base64");
      }
    }
    for (Iterator<Entry<String, JsonNode>> it = o.path("stringData").fields(); it.hasNext(); ) {
      Entry<String, JsonNode> e = it.next();
      values.put(e.getKey(), e.getValue().asText());
    }
    return values;
  }

  private StoreFactory.Context context(S3Settings s3Defaults) {
    return StoreFactory.context(this::secret, storages::get, s3Defaults);
  }

  private Map<String, String> secret(SecretRef ref) {
    Map<String, String> s = secrets.get(ref.getName());
    if (s == null) {
      throw new IllegalArgumentException(
          "Secret "
              + ref.getName()
              + " is not in --storages "
              + file
              + " (add it: kubectl get secret "
              + ref.getName()
              + " -o yaml)");
    }
    return s;
  }
}
