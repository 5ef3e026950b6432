package dev.stasis.storage;

import java.net.URI;

/** The object (or checkpoint) that was asked for does not exist. */
public class NoSuchObjectException extends StorageException {
  public NoSuchObjectException(URI uri) {
    super("no such object: " + uri, false, null);
  }

  public NoSuchObjectException(String message) {
    super(message, false, null);
  }
}
