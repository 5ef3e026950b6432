package dev.stasis.controller.status;

import java.time.Duration;

/**
 * What one step of a reconciler's state machine decided: the status to write, and when to look
 * again (null: only on the next change of the resource).
 */
public record ReconcileStep<S>(S status, Duration requeue) {
  public static <S> ReconcileStep<S> done(S status) {
    return new ReconcileStep<>(status, null);
  }

  public static <S> ReconcileStep<S> again(S status, Duration after) {
    return new ReconcileStep<>(status, after);
  }
}
