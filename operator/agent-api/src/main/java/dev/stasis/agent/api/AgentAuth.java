package dev.stasis.agent.api;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * How a caller authenticates to the agent: its Kubernetes service-account token in the gRPC
 * metadata entry {@code authorization: Bearer <token>}, on a TLS channel.
 */
public final class AgentAuth {
  /** The metadata entry's name (gRPC metadata keys are lowercase). */
  public static final String AUTHORIZATION = "authorization";

  /** The scheme before the token, with its trailing space. */
  public static final String BEARER_PREFIX = "Bearer ";

  /** The metadata key for {@link #AUTHORIZATION}. */
  public static final Metadata.Key<String> AUTHORIZATION_KEY =
      Metadata.Key.of(AUTHORIZATION, Metadata.ASCII_STRING_MARSHALLER);

  /** The agent's default gRPC port. */
  public static final int DEFAULT_PORT = 9443;

  /** Where a pod's projected service-account token is mounted. */
  public static final String SERVICE_ACCOUNT_TOKEN_PATH =
      "/var/run/secrets/kubernetes.io/serviceaccount/token";

  private AgentAuth() {}

  /** The metadata value for a token: {@code Bearer <token>}. */
  public static String bearer(String token) {
    return BEARER_PREFIX + token;
  }

  /**
   * Call credentials that add the bearer token to every call. The supplier is asked on each call,
   * so a rotated projected token (re-read from its file) is picked up.
   */
  public static CallCredentials bearerCredentials(Supplier<String> token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(
          RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        appExecutor.execute(
            () -> {
              try {
                Metadata headers = new Metadata();
                headers.put(AUTHORIZATION_KEY, bearer(token.get()));
                applier.apply(headers);
              } catch (RuntimeException e) {
                applier.fail(
                    Status.UNAUTHENTICATED
                        .withDescription("cannot read the service-account token")
                        .withCause(e));
              }
            });
      }
    };
  }
}
