package dev.stasis.storage;

import dev.stasis.api.Stasis;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * A storage location: {@code s3://bucket/prefix}, {@code gs://bucket/prefix}, {@code
 * file:///absolute/path} or {@code stasis://<storage name>/prefix} (the replicated store).
 *
 * @param scheme s3, gs, file or stasis
 * @param authority the bucket or storage name; empty for file
 * @param path the key or prefix, without leading or trailing slash (for file: the absolute path
 *     without its leading slash)
 */
public record StorageUri(String scheme, String authority, String path) {

  /** Parses the text form (as typed on a command line or stored in a resource). */
  public static StorageUri parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty storage URI");
    }
    int sep = text.indexOf("://");
    if (sep < 0) {
      throw new IllegalArgumentException(
          "not a storage URI: '" + text + "' (use s3://, gs://, file:// or stasis://)");
    }
    String scheme = text.substring(0, sep);
    String rest = text.substring(sep + 3);
    switch (scheme) {
      case Stasis.SCHEME_FILE -> {
        if (!rest.startsWith("/")) {
          throw new IllegalArgumentException(
              "file URIs need an absolute path, like file:///var/lib/stasis: '" + text + "'");
        }
        return new StorageUri(scheme, "", trim(rest));
      }
      case Stasis.SCHEME_S3, Stasis.SCHEME_GCS, Stasis.SCHEME_REPLICATED -> {
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : trim(rest.substring(slash));
        if (authority.isEmpty()) {
          throw new IllegalArgumentException("no bucket or storage name in '" + text + "'");
        }
        return new StorageUri(scheme, authority, path);
      }
      default ->
          throw new IllegalArgumentException(
              "unknown scheme '" + scheme + "' in '" + text + "' (use s3, gs, file or stasis)");
    }
  }

  /** Parses a URI object (the form {@link ObjectStore#uri} returns). */
  public static StorageUri of(URI uri) {
    String scheme = uri.getScheme();
    if (Stasis.SCHEME_FILE.equals(scheme)) {
      return parse("file://" + uri.getPath());
    }
    String authority = uri.getAuthority() == null ? "" : uri.getAuthority();
    return parse(scheme + "://" + authority + (uri.getPath() == null ? "" : uri.getPath()));
  }

  private static String trim(String p) {
    int a = 0;
    int b = p.length();
    while (a < b && p.charAt(a) == '/') {
      a++;
    }
    while (b > a && p.charAt(b - 1) == '/') {
      b--;
    }
    return p.substring(a, b);
  }

  /** This location extended by a relative path. */
  public StorageUri resolve(String relative) {
    String r = trim(relative);
    if (r.isEmpty()) {
      return this;
    }
    return new StorageUri(scheme, authority, path.isEmpty() ? r : path + "/" + r);
  }

  /** The same store with another path. */
  public StorageUri withPath(String newPath) {
    return new StorageUri(scheme, authority, trim(newPath));
  }

  /** The last path segment (an object's file name). */
  public String fileName() {
    int i = path.lastIndexOf('/');
    return i < 0 ? path : path.substring(i + 1);
  }

  public URI toUri() {
    try {
      return new URI(scheme, authority.isEmpty() ? "" : authority, "/" + path, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return scheme + "://" + authority + "/" + path;
  }

  /** Makes the URI of {@code key} in a store rooted at {@code scheme://authority/}. */
  public static URI uriOf(String scheme, String authority, String key) {
    return new StorageUri(scheme, authority, trim(key)).toUri();
  }
}
