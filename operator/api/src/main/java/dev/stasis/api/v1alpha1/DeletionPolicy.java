package dev.stasis.api.v1alpha1;

/** What happens to a checkpoint's objects in storage when its Checkpoint resource is deleted. */
public enum DeletionPolicy {
  /** Keep the objects; the checkpoint can still be restored by path or imported again. */
  Retain,
  /** Delete the archives and the manifest with the resource. */
  Delete
}
