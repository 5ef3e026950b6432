package dev.stasis.storage;

import java.io.IOException;
import java.net.URI;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Sends a cloud store's requests through its SDK: each one retried with {@link Retry} while its
 * failure is transient, and a failure of the SDK (an unchecked {@code E}) turned into a {@link
 * StorageException} that names the object, the way the store describes it.
 */
public final class SdkRequests<E extends RuntimeException> {
  /** One request. An {@code E} it throws is described by the store; an IOException is kept. */
  @FunctionalInterface
  public interface Request<T> {
    T send() throws IOException;
  }

  /** How a store describes a failure of its SDK: {@code what} on {@code key} threw {@code e}. */
  @FunctionalInterface
  public interface Failure<E> {
    StorageException describe(String what, String key, E e);
  }

  private final Retry retry;
  private final Class<E> sdkFailure;
  private final Function<String, URI> uri;
  private final Failure<E> failure;

  public SdkRequests(
      Retry retry, Class<E> sdkFailure, Function<String, URI> uri, Failure<E> failure) {
    this.retry = retry;
    this.sdkFailure = sdkFailure;
    this.uri = uri;
    this.failure = failure;
  }

  /** Sends {@code request}: {@code what} ("GET", "LIST") on {@code key}. */
  public <T> T send(String what, String key, Request<T> request) throws IOException {
    return send(what, key, "", request);
  }

  /** The same, with {@code detail} (a byte range) added to what the retry log says. */
  public <T> T send(String what, String key, String detail, Request<T> request) throws IOException {
    return retry.call(
        what + " " + uri.apply(key) + detail,
        Retry::isRetryable,
        () -> {
          try {
            return request.send();
          } catch (RuntimeException e) {
            if (sdkFailure.isInstance(e)) {
              throw failure.describe(what, key, sdkFailure.cast(e));
            }
            throw e;
          }
        });
  }

  /**
   * Sends {@code request} about an object that may be missing: returns null when the request fails
   * in a way that {@code missing} says means the object is not there.
   */
  public <T> T sendOrNull(String what, String key, Predicate<E> missing, Request<T> request)
      throws IOException {
    return send(
        what,
        key,
        () -> {
          try {
            return request.send();
          } catch (RuntimeException e) {
            if (sdkFailure.isInstance(e) && missing.test(sdkFailure.cast(e))) {
              return null;
            }
            throw e;
          }
        });
  }

  /** GETs a whole object; a missing one (as {@code missing} tells) is a NoSuchObjectException. */
  public byte[] readAll(String key, Predicate<E> missing, Request<byte[]> request)
      throws IOException {
    byte[] data = sendOrNull("GET", key, missing, request);
    if (data == null) {
      throw new NoSuchObjectException(uri.apply(key));
    }
    return data;
  }

  /** Whether an HTTP status says that the same request may succeed later (5xx, 429). */
  public static boolean transientStatus(int status) {
    return status >= 500 || status == 429;
  }
}
