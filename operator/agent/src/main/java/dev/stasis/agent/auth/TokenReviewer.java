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
   * @param error the API server's reason for refusing it, if any (never holds the token)
   */
  record Review(boolean authenticated, String username, List<String> groups, String error) {}

  /** Reviews the token; an IOException means the API server could not be asked. */
  Review review(String token) throws IOException;
}
