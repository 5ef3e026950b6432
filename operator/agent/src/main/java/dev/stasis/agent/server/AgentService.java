package dev.stasis.agent.server;

import dev.stasis.agent.auth.AuthInterceptor;
import dev.stasis.agent.jobs.JobManager;
import dev.stasis.agent.jobs.JobWork;
import dev.stasis.agent.jobs.Jobs;
import dev.stasis.agent.v1.AgentGrpc;
import dev.stasis.agent.v1.CancelJobRequest;
import dev.stasis.agent.v1.GetJobRequest;
import dev.stasis.agent.v1.Job;
import dev.stasis.agent.v1.JobKind;
import dev.stasis.agent.v1.StartCheckpointRequest;
import dev.stasis.agent.v1.StartRestoreRequest;
import dev.stasis.agent.v1.WatchJobRequest;
import dev.stasis.api.Stasis;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The stasis.agent.v1.Agent service over a {@link JobManager}. */
public class AgentService extends AgentGrpc.AgentImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);
  private static final String ID_PATTERN = "[A-Za-z0-9._-]{1,128}";

  private final JobManager jobs;
  private final String nodeName;
  private final Function<StartCheckpointRequest, JobWork> checkpointWork;
  private final Function<StartRestoreRequest, JobWork> restoreWork;
  private final String defaultRepository;
  private final Executor watchExecutor;
  private final Duration cancelWait;

  public AgentService(
      JobManager jobs,
      String nodeName,
      Function<StartCheckpointRequest, JobWork> checkpointWork,
      Function<StartRestoreRequest, JobWork> restoreWork,
      String defaultRepository,
      Executor watchExecutor,
      Duration cancelWait) {
    this.jobs = jobs;
    this.nodeName = nodeName;
    this.checkpointWork = checkpointWork;
    this.restoreWork = restoreWork;
    this.defaultRepository = defaultRepository == null ? "" : defaultRepository;
    this.watchExecutor = watchExecutor;
    this.cancelWait = cancelWait;
  }

  @Override
  public void startCheckpoint(StartCheckpointRequest r, StreamObserver<Job> out) {
    String problem = validate(r);
    if (problem != null) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException());
      return;
    }
    String podNode = podNodeName(r.getPodSpecJson());
    if (podNode != null && !podNode.equals(nodeName)) {
      // The agent's kubelet can only dump its own node's containers; refusing here keeps a
      // caller from using this agent's nodes/checkpoint permission against another node.
      out.onError(
          Status.FAILED_PRECONDITION
              .withDescription(
                  "pod "
                      + r.getNamespace()
                      + "/"
                      + r.getPodName()
                      + " runs on node "
                      + podNode
                      + "; this agent serves node "
                      + nodeName)
              .asRuntimeException());
      return;
    }
    LOG.info(
        "StartCheckpoint {} for {}/{} to {} from {}",
        r.getJobId(),
        r.getNamespace(),
        r.getPodName(),
        r.getDestinationUri(),
        AuthInterceptor.CALLER.get());
    start(
        r.getJobId(),
        JobKind.JOB_KIND_CHECKPOINT,
        r.getStorage(),
        () -> checkpointWork.apply(r),
        out);
  }

  @Override
  public void startRestore(StartRestoreRequest r, StreamObserver<Job> out) {
    String problem = null;
    if (!r.getJobId().matches(ID_PATTERN)) {
      problem = "job_id must be the Restore's UID";
    } else if (!r.getCheckpointUri().matches(Stasis.URI_PATTERN)) {
      problem = "checkpoint_uri must be an s3://, gs://, file:// or stasis:// URI";
    } else if (r.getRepository().isBlank() && defaultRepository.isBlank()) {
      problem =
          "repository is required: the request names none and STASIS_REGISTRY_REPOSITORY is"
              + " not set";
    }
    if (problem != null) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException());
      return;
    }
    LOG.info(
        "StartRestore {} of {} from {}",
        r.getJobId(),
        r.getCheckpointUri(),
        AuthInterceptor.CALLER.get());
    start(r.getJobId(), JobKind.JOB_KIND_RESTORE, r.getStorage(), () -> restoreWork.apply(r), out);
  }

  private void start(
      String id,
      JobKind kind,
      dev.stasis.agent.v1.StorageConfig storage,
      java.util.function.Supplier<JobWork> work,
      StreamObserver<Job> out) {
    try {
      out.onNext(jobs.start(id, kind, storage, work.get()));
      out.onCompleted();
    } catch (JobManager.KindMismatchException e) {
      out.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
    }
  }

  /** spec.nodeName of the pod spec the caller sent, or null when it names none. */
  static String podNodeName(String podSpecJson) {
    if (podSpecJson == null || podSpecJson.isBlank()) {
      return null;
    }
    try {
      String node = POD_SPEC_READER.readTree(podSpecJson).path("nodeName").asText("");
      return node.isEmpty() ? null : node;
    } catch (java.io.IOException e) {
      return null; // validate() reports a malformed pod spec
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper POD_SPEC_READER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  static String validate(StartCheckpointRequest r) {
    if (!r.getJobId().matches(ID_PATTERN)) {
      return "job_id must be the Checkpoint's UID";
    }
    if (!r.getNamespace().matches(Stasis.LABEL_NAME_PATTERN)) {
      return "namespace is not a valid namespace name";
    }
    if (!r.getPodName().matches(Stasis.NAME_PATTERN)) {
      return "pod_name is not a valid pod name";
    }
    if (!r.getCheckpointName().matches(Stasis.NAME_PATTERN)) {
      return "checkpoint_name is not a valid object name";
    }
    if (!r.getDestinationUri().matches(Stasis.URI_PATTERN)) {
      return "destination_uri must be an s3://, gs://, file:// or stasis:// URI";
    }
    for (var c : r.getContainersList()) {
      if (!c.getName().matches(Stasis.LABEL_NAME_PATTERN)) {
        return "container name '" + c.getName() + "' is not valid";
      }
    }
    if (r.getKubeletTimeoutSeconds() < 0) {
      return "kubelet_timeout_seconds must not be negative";
    }
    if (!r.getPodSpecJson().isBlank()) {
      try {
        if (!POD_SPEC_READER.readTree(r.getPodSpecJson()).isObject()) {
          return "pod_spec_json must be a JSON object (the pod's spec)";
        }
      } catch (java.io.IOException e) {
        return "pod_spec_json is not valid JSON";
      }
    }
    return null;
  }

  @Override
  public void getJob(GetJobRequest r, StreamObserver<Job> out) {
    Optional<Job> j = jobs.get(r.getJobId());
    if (j.isEmpty()) {
      out.onError(notFound(r.getJobId()));
      return;
    }
    out.onNext(j.get());
    out.onCompleted();
  }

  @Override
  public void cancelJob(CancelJobRequest r, StreamObserver<Job> out) {
    try {
      Optional<Job> j = jobs.cancel(r.getJobId(), cancelWait);
      if (j.isEmpty()) {
        out.onError(notFound(r.getJobId()));
        return;
      }
      LOG.info(
          "CancelJob {} from {}: {}",
          r.getJobId(),
          AuthInterceptor.CALLER.get(),
          j.get().getState());
      out.onNext(j.get());
      out.onCompleted();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
    }
  }

  @Override
  public void watchJob(WatchJobRequest r, StreamObserver<Job> out) {
    ServerCallStreamObserver<Job> call = (ServerCallStreamObserver<Job>) out;
    AtomicReference<Job> latest = new AtomicReference<>();
    AtomicBoolean draining = new AtomicBoolean();
    AtomicBoolean closed = new AtomicBoolean();
    Runnable drain =
        new Runnable() {
          @Override
          public void run() {
            do {
              Job j;
              while ((j = latest.getAndSet(null)) != null && !closed.get()) {
                try {
                  call.onNext(j);
                  if (Jobs.terminal(j.getState()) && closed.compareAndSet(false, true)) {
                    call.onCompleted();
                  }
                } catch (RuntimeException e) {
                  closed.set(true);
                }
              }
              draining.set(false);
            } while (latest.get() != null && !closed.get() && draining.compareAndSet(false, true));
          }
        };
    Optional<Runnable> unsubscribe =
        jobs.watch(
            r.getJobId(),
            j -> {
              latest.set(j);
              if (draining.compareAndSet(false, true)) {
                watchExecutor.execute(drain);
              }
            });
    if (unsubscribe.isEmpty()) {
      out.onError(notFound(r.getJobId()));
      return;
    }
    call.setOnCancelHandler(
        () -> {
          closed.set(true);
          unsubscribe.get().run();
        });
  }

  private static RuntimeException notFound(String id) {
    return Status.NOT_FOUND.withDescription("no job " + id + " on this agent").asRuntimeException();
  }
}
