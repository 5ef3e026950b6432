package dev.stasis.agent.auth;

import java.io.IOException;
import java.util.List;

/** Asks the API server who a bearer token belongs to. */
public interface TokenReviewer {
  /**
   * The review's outcome.
   *
   * @param authenticated whether the API server accepted the token
   * @param username e.g. {@code system:serviceaccount:stasis-system:stasis-operator}
   * @param groups the user's groups
   * @param audiences the audiences the API server says the token is valid for, among those asked
   *     for (TokenReview {@code status.audiences}); empty when it named none
   * @param error the API server's reason for refusing it, if any (never holds the token)
   */
  record Review(
      boolean authenticated,
      String username,
      List<String> groups,
      List<String> audiences,
      String error) {}

  /**
   * Reviews the token; an IOException means the API server could not be asked.
   *
   * @param audience the audience the token must be bound to (TokenReview {@code spec.audiences});
   *     empty: none asked for, the API server's own
   */
  Review review(String token, String audience) throws IOException;
}
