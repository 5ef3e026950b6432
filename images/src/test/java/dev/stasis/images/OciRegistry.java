package dev.stasis.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The few calls of the OCI distribution API the test needs (push a blob and a manifest, pull them
 * back), on an anonymous plain-HTTP registry.
 */
final class OciRegistry {
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
  private final URI base;

  OciRegistry(String url) {
    this.base = URI.create(url + "/");
  }

  /** A manifest as the registry serves it: its media type and the parsed document. */
  record Manifest(String mediaType, String digest, JsonNode json) {}

  /** Uploads a blob in one request (POST then monolithic PUT) and returns its digest. */
  String pushBlob(String repository, Path file) throws IOException {
    String digest = "sha256:" + sha256(file);
    HttpResponse<String> start =
        send(
            HttpRequest.newBuilder(base.resolve("v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    expect(start, 202, "start the upload of " + digest);
    String location =
        start
            .headers()
            .firstValue("Location")
            .orElseThrow(() -> new IOException("no Location for the upload of " + digest));
    URI upload = base.resolve(location);
    String sep = upload.getQuery() == null ? "?" : "&";
    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(file)));
    expect(put, 201, "upload " + digest);
    return digest;
  }

  void pushManifest(String repository, String tag, String mediaType, byte[] manifest)
      throws IOException {
    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(base.resolve("v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
    expect(put, 201, "push the manifest " + repository + ":" + tag);
  }

  Manifest manifest(String repository, String reference) throws IOException {
    HttpResponse<String> get =
        send(
            HttpRequest.newBuilder(base.resolve("v2/" + repository + "/manifests/" + reference))
                .header("Accept", OCI_MANIFEST + ", " + DOCKER_MANIFEST)
                .GET());
    expect(get, 200, "pull the manifest " + repository + ":" + reference);
    return new Manifest(
        get.headers().firstValue("Content-Type").orElse(""),
        get.headers().firstValue("Docker-Content-Digest").orElse(""),
        JSON.readTree(get.body()));
  }

  JsonNode blobJson(String repository, String digest) throws IOException {
    Path tmp = Files.createTempFile("blob", ".json");
    try {
      return JSON.readTree(blob(repository, digest, tmp).toFile());
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Downloads a blob to {@code target}, checking that its content matches the digest. */
  Path blob(String repository, String digest, Path target) throws IOException {
    HttpResponse<InputStream> get;
    try {
      get =
          http.send(
              HttpRequest.newBuilder(base.resolve("v2/" + repository + "/blobs/" + digest))
                  .timeout(Duration.ofMinutes(2))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    MessageDigest md = sha256();
    try (InputStream in = new DigestInputStream(get.body(), md)) {
      if (get.statusCode() != 200) {
        throw new IOException(
            "GET blob "
                + digest
                + ": HTTP "
                + get.statusCode()
                + " "
                + new String(in.readAllBytes()));
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    String actual = "sha256:" + HexFormat.of().formatHex(md.digest());
    if (!actual.equals(digest)) {
      throw new IOException("blob " + digest + " has content " + actual);
    }
    return target;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(
          request.timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void expect(HttpResponse<String> r, int status, String what) throws IOException {
    if (r.statusCode() != status) {
      throw new IOException(
          what + ": HTTP " + r.statusCode() + " (expected " + status + "): " + r.body());
    }
  }

  static String sha256(Path file) {
    MessageDigest md = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
