package dev.stasis.e2e.k3s;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables the real-cluster suite, with the reason shown as skipped tests, where there is neither a
 * Docker engine for K3s nor a cluster named by STASIS_E2E_KUBECONFIG.
 */
final class RequiresCluster implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return ClusterUnderTest.unavailableReason()
        .map(
            reason -> {
              System.out.println("[stasis e2e] real-cluster suite skipped: " + reason);
              return ConditionEvaluationResult.disabled(reason);
            })
        .orElseGet(() -> ConditionEvaluationResult.enabled("a cluster is available"));
  }
}
