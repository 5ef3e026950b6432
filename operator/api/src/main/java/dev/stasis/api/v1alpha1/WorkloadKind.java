package dev.stasis.api.v1alpha1;

/** The workloads a CheckpointSchedule may target by reference. */
public enum WorkloadKind {
  Deployment,
  StatefulSet,
  ReplicaSet,
  Job
}
