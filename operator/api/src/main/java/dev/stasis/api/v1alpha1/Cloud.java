package dev.stasis.api.v1alpha1;

/**
 * A managed Kubernetes platform, recognised from a node's providerID and labels: EKS is {@code
 * aws://} with {@code eks.amazonaws.com/*} or {@code karpenter.sh/*} labels, GKE is {@code gce://}
 * with {@code cloud.google.com/gke-*} labels.
 */
public enum Cloud {
  EKS,
  GKE
}
