package dev.stasis.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.agent.v1.GetJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthTest {
  @TempDir Path tmp;
  AgentFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new AgentFixture(tmp);
    f.start();
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private Status.Code call(String token) {
    try {
      f.stub(token).getJob(GetJobRequest.newBuilder().setJobId("no-such-job").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      assertThat(String.valueOf(e.getStatus().getDescription()))
          .doesNotContain(token == null ? "\0" : token);
      return e.getStatus().getCode();
    }
  }

  @Test
  void callsWithoutAValidAllowedTokenAreRefused() {
    assertThat(call(null)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(call("not-a-real-token")).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(call(AgentFixture.EXPIRED_TOKEN)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(call(AgentFixture.OTHER_TOKEN)).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(call(AgentFixture.OPERATOR_API_TOKEN)).isEqualTo(Status.Code.UNAUTHENTICATED);
    // The operator gets through (to a NOT_FOUND for a job that does not exist).
    assertThat(call(AgentFixture.OPERATOR_TOKEN)).isEqualTo(Status.Code.NOT_FOUND);
  }

  /** The audiences each TokenReview the API server received asked for. */
  private List<List<String>> askedAudiences() {
    return f.reviewSpecs.stream()
        .map(
            spec -> {
              List<String> a = new ArrayList<>();
              spec.path("audiences").forEach(n -> a.add(n.asText()));
              return a;
            })
        .toList();
  }

  private String description(String token) {
    try {
      f.stub(token).getJob(GetJobRequest.newBuilder().setJobId("no-such-job").build());
      return "";
    } catch (StatusRuntimeException e) {
      return String.valueOf(e.getStatus().getDescription());
    }
  }

  @Test
  void aTokenBoundToTheAgentsAudienceIsAcceptedAndTheReviewAsksForIt() {
    assertThat(f.config.tokenAudience()).isEqualTo(AgentFixture.AUDIENCE);
    assertThat(call(AgentFixture.OPERATOR_TOKEN)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(f.reviewSpecs).hasSize(1);
    assertThat(f.reviewSpecs.get(0).path("token").asText()).isEqualTo(AgentFixture.OPERATOR_TOKEN);
    assertThat(askedAudiences()).containsExactly(List.of(AgentFixture.AUDIENCE));
  }

  @Test
  void theOperatorsApiServerTokenIsRefused() {
    // Bound to the API server's audience, not the agent's: what a node could replay elsewhere.
    assertThat(call(AgentFixture.OPERATOR_API_TOKEN)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(description(AgentFixture.OPERATOR_API_TOKEN))
        .contains("audience '" + AgentFixture.AUDIENCE + "'");
    assertThat(askedAudiences()).allSatisfy(a -> assertThat(a).containsExactly("stasis-agent"));
  }

  @Test
  void aReviewThatDoesNotNameTheAudienceIsRefusedAndNotCached() {
    // The API server said "authenticated" but not for which audience (an authenticator that
    // ignores spec.audiences): the token may be one for the API server, so it is refused.
    assertThat(call(AgentFixture.AUDIENCE_BLIND_TOKEN)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(description(AgentFixture.AUDIENCE_BLIND_TOKEN))
        .contains("not bound to the audience 'stasis-agent'")
        .contains("STASIS_AGENT_TOKEN_AUDIENCE");
    assertThat(f.reviews.get(AgentFixture.AUDIENCE_BLIND_TOKEN)).isEqualTo(2);
    assertThat(askedAudiences()).allSatisfy(a -> assertThat(a).containsExactly("stasis-agent"));
  }

  @Test
  void aReviewNamingOnlyAnotherAudienceIsRefused() {
    // The review says "authenticated" for the API server's audience although the agent's was asked
    // for (a reviewer that ignored the request): refused, although the user is the operator.
    assertThat(call(AgentFixture.WRONG_AUDIENCE_TOKEN)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(description(AgentFixture.WRONG_AUDIENCE_TOKEN))
        .contains("not bound to the audience 'stasis-agent'");
    assertThat(askedAudiences()).allSatisfy(a -> assertThat(a).containsExactly("stasis-agent"));
  }

  @Test
  void anEmptyAudienceReviewsForTheApiServerAndRestrictsNothing() throws Exception {
    f.stopAgent();
    Map<String, String> env = f.env();
    env.put("STASIS_AGENT_TOKEN_AUDIENCE", "");
    f.start(env);
    assertThat(f.config.tokenAudience()).isEmpty();
    // The operator's ordinary token works then, and so does a review naming no audience.
    assertThat(call(AgentFixture.OPERATOR_API_TOKEN)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(call(AgentFixture.AUDIENCE_BLIND_TOKEN)).isEqualTo(Status.Code.NOT_FOUND);
    // The review asked for no audience: the field is absent (or empty), not [""].
    assertThat(f.reviewSpecs).hasSize(2);
    assertThat(askedAudiences()).allSatisfy(a -> assertThat(a).isEmpty());
  }

  @Test
  void positiveReviewsAreCachedNegativeOnesAreNot() {
    for (int i = 0; i < 3; i++) {
      call(AgentFixture.OPERATOR_TOKEN);
      call("bad-token-x");
    }
    assertThat(f.reviews.get(AgentFixture.OPERATOR_TOKEN)).isEqualTo(1);
    assertThat(f.reviews.get("bad-token-x")).isEqualTo(3);
  }

  @Test
  void malformedRequestsAreInvalidArgument() {
    assertThatThrownBy(
            () ->
                f.operator()
                    .startCheckpoint(AgentFixture.checkpoint("x y", "file:///tmp/x").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(
            () ->
                f.operator()
                    .startCheckpoint(
                        AgentFixture.checkpoint("6f7a8b9c-0000-4000-8000-000000000001", "ftp://x")
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void aPodOnAnotherNodeIsRefusedWithoutCallingTheKubelet() {
    String otherNodeSpec =
        "{\"nodeName\":\"node-b\",\"containers\":[{\"name\":\"app\",\"image\":\"nginx\"}]}";
    assertThatThrownBy(
            () ->
                f.operator()
                    .startCheckpoint(
                        AgentFixture.checkpoint(
                                "6f7a8b9c-0000-4000-8000-000000000002", "file:///tmp/x")
                            .setPodSpecJson(otherNodeSpec)
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("pod shop/web runs on node node-b; this agent serves node node-a");
            });
    assertThatThrownBy(
            () ->
                f.operator()
                    .startCheckpoint(
                        AgentFixture.checkpoint(
                                "6f7a8b9c-0000-4000-8000-000000000003", "file:///tmp/x")
                            .setPodSpecJson("[1,2]")
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThat(f.kubelet.requestCount()).isZero();
  }
}
