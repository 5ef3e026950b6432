package dev.stasis.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** How container archives are compressed in storage. */
public enum Compression {
  @JsonProperty("zstd")
  ZSTD(".zst"),
  @JsonProperty("lz4")
  LZ4(".lz4"),
  @JsonProperty("gzip")
  GZIP(".gz"),
  @JsonProperty("none")
  NONE("");

  private final String extension;

  Compression(String extension) {
    this.extension = extension;
  }

  /** The name used in resources and on the command line: zstd, lz4, gzip or none. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** File-name suffix after {@code .tar}, for example {@code .zst}; empty for none. */
  public String extension() {
    return extension;
  }

  /** Parses the resource / command-line spelling, with an error that lists the choices. */
  public static Compression fromValue(String value) {
    for (Compression c : values()) {
      if (c.value().equals(value)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown compression '" + value + "': use one of zstd, lz4, gzip, none");
  }

  @Override
  public String toString() {
    return value();
  }
}
