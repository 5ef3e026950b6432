package dev.stasis.agent.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.List;

/**
 * {@link TokenReviewer} through a TokenReview (authentication.k8s.io/v1) created with the agent's
 * own client; the agent's service account needs {@code create} on {@code tokenreviews}
 * (system:auth-delegator). With an audience, the review's {@code spec.audiences} holds it, and the
 * API server authenticates only tokens bound to it and names it in {@code status.audiences}.
 */
public class KubernetesTokenReviewer implements TokenReviewer {
  private final KubernetesClient client;

  public KubernetesTokenReviewer(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Review review(String token, String audience) throws IOException {
    TokenReview request =
        new TokenReviewBuilder()
            .withNewSpec()
            .withToken(token)
            .withAudiences(audience == null || audience.isEmpty() ? null : List.of(audience))
            .endSpec()
            .build();
    TokenReview answer;
    try {
      answer = client.resource(request).create();
    } catch (KubernetesClientException e) {
      // Never pass the exception's text on: it may quote the request body.
      throw new IOException("TokenReview failed with HTTP " + e.getCode());
    }
    TokenReviewStatus status = answer == null ? null : answer.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      String error = status == null ? null : status.getError();
      return new Review(false, null, List.of(), List.of(), error);
    }
    String user = status.getUser() == null ? null : status.getUser().getUsername();
    List<String> groups =
        status.getUser() == null || status.getUser().getGroups() == null
            ? List.of()
            : List.copyOf(status.getUser().getGroups());
    List<String> audiences =
        status.getAudiences() == null ? List.of() : List.copyOf(status.getAudiences());
    return new Review(true, user, groups, audiences, null);
  }
}
