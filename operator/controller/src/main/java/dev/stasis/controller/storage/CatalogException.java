package dev.stasis.controller.storage;

/** A storage could not be listed, read or written; the message says which and why. */
public class CatalogException extends Exception {
  public CatalogException(String message, Throwable cause) {
    super(message, cause);
  }

  public CatalogException(String message) {
    super(message);
  }
}
