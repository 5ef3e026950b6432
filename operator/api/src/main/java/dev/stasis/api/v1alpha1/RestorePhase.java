package dev.stasis.api.v1alpha1;

/** Where a Restore is in its life. Running and Failed are final. */
public enum RestorePhase {
  Pending,
  Downloading,
  Restoring,
  Running,
  Failed;

  public boolean isFinal() {
    return this == Running || this == Failed;
  }
}
