package dev.stasis.testsupport.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Answers TokenReviews ({@code authentication.k8s.io/v1}) the way the API server's service-account
 * authenticator does: each token belongs to a user and is bound to audiences; a review asks for
 * {@code spec.audiences} (none: the API server's own, {@link #API_SERVER_AUDIENCE}) and
 * authenticates the token only if it is bound to one of them, answering the common ones in {@code
 * status.audiences}. Unknown tokens are not authenticated.
 */
public final class TokenReviews {
  /** The audience of ordinary service-account tokens (the API server's own). */
  public static final String API_SERVER_AUDIENCE = "https://kubernetes.default.svc.cluster.local";

  private record Bound(String username, List<String> groups, Set<String> audiences) {}

  private final Map<String, Bound> tokens = new ConcurrentHashMap<>();
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

  /** Makes {@code token} a token of {@code username} bound to {@code audiences}. */
  public TokenReviews bind(String token, String username, String... audiences) {
    tokens.put(
        token,
        new Bound(
            username,
            List.of("system:serviceaccounts", "system:authenticated"),
            new LinkedHashSet<>(List.of(audiences))));
    return this;
  }

  /** The {@code spec} of every review asked for, in order (holding the tokens: test use only). */
  public List<JsonNode> requests() {
    return new ArrayList<>(requests);
  }

  /** The review of a TokenReview request's {@code spec}. */
  public TokenReview review(JsonNode spec) {
    requests.add(spec);
    String token = spec.path("token").asText("");
    List<String> asked = new ArrayList<>();
    spec.path("audiences").forEach(a -> asked.add(a.asText()));
    if (asked.isEmpty()) {
      asked.add(API_SERVER_AUDIENCE);
    }
    TokenReviewBuilder answer =
        new TokenReviewBuilder()
            .withNewSpec()
            .withAudiences(asked)
            .endSpec()
            .withNewStatus()
            .endStatus();
    Bound bound = tokens.get(token);
    if (bound == null) {
      return answer
          .editStatus()
          .withAuthenticated(false)
          .withError("invalid bearer token")
          .endStatus()
          .build();
    }
    List<String> common = asked.stream().filter(bound.audiences()::contains).toList();
    if (common.isEmpty()) {
      return answer
          .editStatus()
          .withAuthenticated(false)
          .withError(
              "[invalid bearer token, token audiences "
                  + bound.audiences()
                  + " is invalid for the target audiences "
                  + asked
                  + "]")
          .endStatus()
          .build();
    }
    return answer
        .editStatus()
        .withAuthenticated(true)
        .withNewUser()
        .withUsername(bound.username())
        .withGroups(bound.groups())
        .endUser()
        .withAudiences(common)
        .endStatus()
        .build();
  }
}
