package dev.stasis.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.stasis.agent.v1.AgentGrpc;
import dev.stasis.agent.v1.ContainerRef;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobState;
import dev.stasis.agent.v1.StartCheckpointRequest;
import dev.stasis.agent.v1.StorageConfig;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AgentContractTest {
  @Test
  void serviceHasTheFiveMethodsWithTheirShapes() {
    ServiceDescriptor service = AgentGrpc.getServiceDescriptor();
    assertThat(service.getName()).isEqualTo("stasis.agent.v1.Agent");
    assertThat(
            service.getMethods().stream()
                .collect(Collectors.toMap(m -> m.getBareMethodName(), MethodDescriptor::getType)))
        .containsOnly(
            java.util.Map.entry("StartCheckpoint", MethodDescriptor.MethodType.UNARY),
            java.util.Map.entry("StartRestore", MethodDescriptor.MethodType.UNARY),
            java.util.Map.entry("GetJob", MethodDescriptor.MethodType.UNARY),
            java.util.Map.entry("WatchJob", MethodDescriptor.MethodType.SERVER_STREAMING),
            java.util.Map.entry("CancelJob", MethodDescriptor.MethodType.UNARY));
  }

  @Test
  void requestsRoundTripOnTheWire() throws Exception {
    StartCheckpointRequest request =
        StartCheckpointRequest.newBuilder()
            .setJobId("0f8e2a4c-1111-2222-3333-444455556666")
            .setNamespace("default")
            .setPodName("web")
            .addContainers(ContainerRef.newBuilder().setName("app").setImage("nginx:1.27"))
            .setDestinationUri("s3://bucket/prefix")
            .setStorage(
                StorageConfig.newBuilder()
                    .setName("s3-main")
                    .setSpecJson("{\"s3\":{\"bucket\":\"bucket\"}}")
                    .putCredentials("AWS_ACCESS_KEY_ID", ByteString.copyFromUtf8("AKIA")))
            .build();
    StartCheckpointRequest back = StartCheckpointRequest.parseFrom(request.toByteArray());
    assertThat(back).isEqualTo(request);
    assertThat(back.getStorage().getCredentialsOrThrow("AWS_ACCESS_KEY_ID").toStringUtf8())
        .isEqualTo("AKIA");
    assertThat(Job.newBuilder().setState(JobState.JOB_STATE_FAILED).build().getState())
        .isEqualTo(JobState.JOB_STATE_FAILED);
  }

  @Test
  void bearerValueAndKey() {
    assertThat(AgentAuth.bearer("abc")).isEqualTo("Bearer abc");
    assertThat(AgentAuth.AUTHORIZATION_KEY.name()).isEqualTo("authorization");
  }
}
