package dev.stasis.agent.auth;

import dev.stasis.agent.api.AgentAuth;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a call through only with {@code authorization: Bearer <token>} whose TokenReview says it is
 * a user on the allow-list. With an audience (STASIS_AGENT_TOKEN_AUDIENCE), the review asks for it
 * and must answer that the token is bound to it ({@code status.audiences}): a token the API server
 * would accept for itself, or a review that does not say the audience (an authenticator that
 * ignores audiences), is refused. No, malformed, invalid, expired or wrong-audience token:
 * UNAUTHENTICATED; a valid token of a user not on the list: PERMISSION_DENIED; API server
 * unreachable: UNAVAILABLE. Positive reviews are cached for a short TTL, keyed by the token's
 * SHA-256 (the token itself is neither kept as a key nor logged nor put in a status).
 */
public class AuthInterceptor implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(AuthInterceptor.class);

  /** The authenticated caller's username, for the service's logs. */
  public static final Context.Key<String> CALLER = Context.key("stasis-caller");

  private final TokenReviewer reviewer;
  private final String audience;
  private final Set<String> allowed;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final MeterRegistry meters;

  private record Cached(String username, Instant expires) {}

  /**
   * @param audience the audience tokens must be bound to; empty: none (the API server's own)
   */
  public AuthInterceptor(
      TokenReviewer reviewer,
      String audience,
      Set<String> allowed,
      Duration ttl,
      Clock clock,
      MeterRegistry meters) {
    this.reviewer = reviewer;
    this.audience = audience == null ? "" : audience;
    this.allowed = Set.copyOf(allowed);
    this.ttl = ttl;
    this.clock = clock;
    this.meters = meters;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    String value = headers.get(AgentAuth.AUTHORIZATION_KEY);
    if (value == null || !value.regionMatches(true, 0, "Bearer ", 0, 7) || value.length() <= 7) {
      return refuse(
          call,
          Status.UNAUTHENTICATED.withDescription(
              "missing bearer token: send 'authorization: Bearer <service-account token>'"),
          method);
    }
    String token = value.substring(7).trim();
    String key = sha256(token);
    String username;
    Cached hit = cache.get(key);
    if (hit != null && clock.instant().isBefore(hit.expires())) {
      username = hit.username();
    } else {
      TokenReviewer.Review review;
      try {
        review = reviewer.review(token, audience);
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot review a caller's token: {}", e.getMessage());
        return refuse(
            call,
            Status.UNAVAILABLE.withDescription(
                "the agent cannot review the token with the API server right now"),
            method);
      }
      if (!review.authenticated() || review.username() == null) {
        cache.remove(key);
        return refuse(
            call,
            Status.UNAUTHENTICATED.withDescription(
                audience.isEmpty()
                    ? "the token was not accepted by the API server (invalid or expired)"
                    : "the token was not accepted by the API server for the audience '"
                        + audience
                        + "' (invalid, expired, or not bound to that audience)"),
            method);
      }
      if (!audience.isEmpty() && !review.audiences().contains(audience)) {
        cache.remove(key);
        LOG.warn(
            "refused {} from {}: the review did not say the token is for the audience {}",
            method,
            review.username(),
            audience);
        return refuse(
            call,
            Status.UNAUTHENTICATED.withDescription(
                "the token is not bound to the audience '"
                    + audience
                    + "' this agent requires (STASIS_AGENT_TOKEN_AUDIENCE): send a projected"
                    + " service-account token for it"),
            method);
      }
      username = review.username();
      if (allowed.contains(username)) {
        cache.put(key, new Cached(username, clock.instant().plus(ttl)));
        if (cache.size() > 1000) {
          Instant now = clock.instant();
          cache.values().removeIf(c -> !now.isBefore(c.expires()));
        }
      }
    }
    if (!allowed.contains(username)) {
      LOG.warn("refused {} from {}: not in STASIS_ALLOWED_CALLERS", method, username);
      return refuse(
          call,
          Status.PERMISSION_DENIED.withDescription(
              username + " may not call the agent: it is not in STASIS_ALLOWED_CALLERS"),
          method);
    }
    Context ctx = Context.current().withValue(CALLER, username);
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  private <Q, A> ServerCall.Listener<Q> refuse(
      ServerCall<Q, A> call, Status status, String method) {
    if (meters != null) {
      meters
          .counter("stasis_agent_calls_refused_total", "code", status.getCode().name())
          .increment();
    }
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
