package dev.stasis.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stasis.agent.v1.GetJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
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
    // The operator gets through (to a NOT_FOUND for a job that does not exist).
    assertThat(call(AgentFixture.OPERATOR_TOKEN)).isEqualTo(Status.Code.NOT_FOUND);
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
}
