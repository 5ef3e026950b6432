package dev.stasis.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Each RBAC rule the chart grants, exactly: a new permission must show up here. */
class RbacTest {
  private static final String NS = ChartFixture.NAMESPACE;

  /** A rule with order-free lists, so that comparisons are about content. */
  record Rule(Set<String> apiGroups, Set<String> resources, Set<String> verbs, Set<String> names) {
    static Rule of(String apiGroup, List<String> resources, List<String> verbs) {
      return new Rule(Set.of(apiGroup), new TreeSet<>(resources), new TreeSet<>(verbs), Set.of());
    }

    Rule named(String... names) {
      return new Rule(apiGroups, resources, verbs, Set.of(names));
    }

    static Rule from(PolicyRule r) {
      assertThat(r.getNonResourceURLs()).as("no non-resource URLs").isNullOrEmpty();
      return new Rule(
          new TreeSet<>(r.getApiGroups()),
          new TreeSet<>(r.getResources()),
          new TreeSet<>(r.getVerbs()),
          r.getResourceNames() == null ? Set.of() : new TreeSet<>(r.getResourceNames()));
    }
  }

  static List<Rule> rules(List<PolicyRule> rules) {
    return rules.stream().map(Rule::from).toList();
  }

  private static final List<Rule> AGENT_RULES =
      List.of(
          Rule.of("", List.of("nodes/checkpoint"), List.of("create")),
          Rule.of("authentication.k8s.io", List.of("tokenreviews"), List.of("create")),
          Rule.of("", List.of("pods"), List.of("get")));

  private static final List<Rule> OPERATOR_CLUSTER_RULES =
      List.of(
          Rule.of(
              "stasis.dev",
              List.of("checkpointstorages"),
              List.of("get", "list", "watch", "update", "patch")),
          Rule.of("stasis.dev", List.of("checkpointstorages/status"), List.of("update", "patch")),
          Rule.of("stasis.dev", List.of("checkpointstorages/finalizers"), List.of("update")),
          Rule.of("", List.of("nodes"), List.of("get", "list", "watch")),
          Rule.of("", List.of("events"), List.of("create", "patch")),
          Rule.of("events.k8s.io", List.of("events"), List.of("create", "patch")));

  private static final List<Rule> OPERATOR_NAMESPACED_RULES =
      List.of(
          Rule.of(
              "stasis.dev",
              List.of("checkpoints"),
              List.of("get", "list", "watch", "create", "update", "patch", "delete")),
          Rule.of(
              "stasis.dev",
              List.of("restores"),
              List.of("get", "list", "watch", "update", "patch")),
          Rule.of(
              "stasis.dev",
              List.of("checkpoints/status", "restores/status"),
              List.of("update", "patch")),
          Rule.of(
              "stasis.dev",
              List.of("checkpoints/finalizers", "restores/finalizers"),
              List.of("update")),
          Rule.of("", List.of("pods"), List.of("get", "list", "watch", "create", "delete")),
          // Workload restores and restoreOnTermination's Restores.
          Rule.of("stasis.dev", List.of("restores"), List.of("create")),
          Rule.of(
              "stasis.dev",
              List.of("checkpointschedules"),
              List.of("get", "list", "watch", "update", "patch")),
          Rule.of("stasis.dev", List.of("checkpointschedules/status"), List.of("update", "patch")),
          Rule.of("stasis.dev", List.of("checkpointschedules/finalizers"), List.of("update")),
          Rule.of("apps", List.of("deployments", "statefulsets", "replicasets"), List.of("get")),
          Rule.of("batch", List.of("jobs"), List.of("get")));

  // Only cluster-wide: the storage sync enumerates namespaces when it watches all of them.
  private static final Rule NAMESPACES_LIST = Rule.of("", List.of("namespaces"), List.of("list"));

  private static final Rule SECRETS_READ =
      Rule.of("", List.of("secrets"), List.of("get", "list", "watch"));
  private static final Rule LEASE_CREATE =
      Rule.of("coordination.k8s.io", List.of("leases"), List.of("create"));
  private static final Rule LEASE_RENEW =
      Rule.of("coordination.k8s.io", List.of("leases"), List.of("get", "update"))
          .named("stasis-operator");

  @Test
  void agentClusterRoleHasExactlyTheThreeRulesItNeeds() {
    ClusterRole role =
        ChartFixture.renderDefaults().get("ClusterRole", "stasis-agent").as(ClusterRole.class);
    assertThat(rules(role.getRules())).containsExactlyInAnyOrderElementsOf(AGENT_RULES);
  }

  @Test
  void agentClusterRoleIsBoundToTheAgentServiceAccountOnly() {
    ClusterRoleBinding binding =
        ChartFixture.renderDefaults()
            .get("ClusterRoleBinding", "stasis-agent")
            .as(ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo("stasis-agent");
    assertThat(binding.getSubjects())
        .extracting(Subject::getKind, Subject::getName, Subject::getNamespace)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("ServiceAccount", "stasis-agent", NS));
  }

  @Test
  void operatorClusterRoleCoversAllNamespacesByDefault() {
    ClusterRole role =
        ChartFixture.renderDefaults().get("ClusterRole", "stasis-operator").as(ClusterRole.class);
    List<Rule> expected = new java.util.ArrayList<>(OPERATOR_CLUSTER_RULES);
    expected.add(NAMESPACES_LIST);
    expected.addAll(OPERATOR_NAMESPACED_RULES);
    assertThat(rules(role.getRules())).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void operatorReadsSecretsAndHoldsItsLeaseOnlyInItsOwnNamespace() {
    ChartFixture.Rendered rendered = ChartFixture.renderDefaults();
    Role role = rendered.get("Role", NS, "stasis-operator").as(Role.class);
    assertThat(rules(role.getRules()))
        .containsExactlyInAnyOrder(SECRETS_READ, LEASE_CREATE, LEASE_RENEW);
    RoleBinding binding = rendered.get("RoleBinding", NS, "stasis-operator").as(RoleBinding.class);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo("stasis-operator");
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName()).isEqualTo("stasis-operator");
              assertThat(s.getNamespace()).isEqualTo(NS);
            });
    // The lease the operator is told to use is the one it may renew.
    var env = Manifests.env(Manifests.only(Manifests.pod(Manifests.operator(rendered))));
    assertThat(LEASE_RENEW.names())
        .containsExactly(Manifests.value(env, "STASIS_LEADER_ELECTION_LEASE_NAME"));
  }

  @Test
  void withoutLeaderElectionThereIsNoLeasePermission() {
    Role role =
        ChartFixture.render(java.util.Map.of("operator.leaderElection.enabled", false))
            .get("Role", NS, "stasis-operator")
            .as(Role.class);
    assertThat(rules(role.getRules())).containsExactly(SECRETS_READ);
  }

  @Test
  void watchNamespacesMoveNamespacedPermissionsIntoRoles() {
    ChartFixture.Rendered rendered =
        ChartFixture.renderYaml("operator: {watchNamespaces: [team-a, team-b]}\n");
    ClusterRole cluster = rendered.get("ClusterRole", "stasis-operator").as(ClusterRole.class);
    assertThat(rules(cluster.getRules()))
        .containsExactlyInAnyOrderElementsOf(OPERATOR_CLUSTER_RULES);
    for (String ns : List.of("team-a", "team-b")) {
      Role role = rendered.get("Role", ns, "stasis-operator-watch").as(Role.class);
      assertThat(rules(role.getRules()))
          .containsExactlyInAnyOrderElementsOf(OPERATOR_NAMESPACED_RULES);
      RoleBinding binding =
          rendered.get("RoleBinding", ns, "stasis-operator-watch").as(RoleBinding.class);
      assertThat(binding.getRoleRef().getName()).isEqualTo("stasis-operator-watch");
      assertThat(binding.getSubjects())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.getName()).isEqualTo("stasis-operator");
                assertThat(s.getNamespace()).isEqualTo(NS);
              });
    }
    // In its own namespace it still finds the agent pods.
    Role own = rendered.get("Role", NS, "stasis-operator").as(Role.class);
    assertThat(rules(own.getRules()))
        .containsExactlyInAnyOrder(
            SECRETS_READ,
            LEASE_CREATE,
            LEASE_RENEW,
            Rule.of("", List.of("pods"), List.of("get", "list", "watch")));
    var env = Manifests.env(Manifests.only(Manifests.pod(Manifests.operator(rendered))));
    assertThat(Manifests.value(env, "STASIS_WATCH_NAMESPACES")).isEqualTo("team-a,team-b");
  }

  @Test
  void noRoleAnywhereUsesAWildcardOrEscalatingVerbs() {
    ChartFixture.Rendered rendered =
        ChartFixture.renderYaml(
            "operator: {watchNamespaces: [team-a]}\nrbac: {aggregateToDefaultRoles: true}\n");
    List<PolicyRule> all = new java.util.ArrayList<>();
    rendered.ofKind("ClusterRole").forEach(m -> all.addAll(m.as(ClusterRole.class).getRules()));
    rendered.ofKind("Role").forEach(m -> all.addAll(m.as(Role.class).getRules()));
    assertThat(all).isNotEmpty();
    for (PolicyRule rule : all) {
      assertThat(rule.getApiGroups()).doesNotContain("*");
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate");
      assertThat(rule.getResources())
          .doesNotContain("pods/exec", "nodes/proxy", "serviceaccounts/token");
    }
  }

  @Test
  void userRolesAggregateIntoTheBuiltInRolesOnlyWhenAskedTo() {
    assertThat(ChartFixture.renderDefaults().ofKind("ClusterRole"))
        .extracting(ChartFixture.Manifest::name)
        .containsExactlyInAnyOrder("stasis-agent", "stasis-operator");
    ChartFixture.Rendered rendered =
        ChartFixture.renderYaml("rbac: {aggregateToDefaultRoles: true}\n");
    ClusterRole edit = rendered.get("ClusterRole", "stasis-edit").as(ClusterRole.class);
    assertThat(edit.getMetadata().getLabels())
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true")
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-admin", "true");
    assertThat(rules(edit.getRules()))
        .containsExactly(
            Rule.of(
                "stasis.dev",
                List.of("checkpoints", "restores"),
                List.of(
                    "get",
                    "list",
                    "watch",
                    "create",
                    "update",
                    "patch",
                    "delete",
                    "deletecollection")),
            Rule.of(
                "stasis.dev",
                List.of("checkpointschedules"),
                List.of(
                    "get",
                    "list",
                    "watch",
                    "create",
                    "update",
                    "patch",
                    "delete",
                    "deletecollection")));
    ClusterRole view = rendered.get("ClusterRole", "stasis-view").as(ClusterRole.class);
    assertThat(view.getMetadata().getLabels())
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-view", "true");
    assertThat(rules(view.getRules()))
        .containsExactly(
            Rule.of(
                "stasis.dev", List.of("checkpoints", "restores"), List.of("get", "list", "watch")),
            Rule.of("stasis.dev", List.of("checkpointschedules"), List.of("get", "list", "watch")));
  }

  @Test
  void bindingsFollowServiceAccountsThatAlreadyExist() {
    ChartFixture.Rendered rendered =
        ChartFixture.renderYaml(
            """
            operator: {serviceAccount: {create: false, name: my-operator}}
            agent: {serviceAccount: {create: false, name: my-agent}}
            """);
    assertThat(rendered.ofKind("ServiceAccount")).isEmpty();
    assertThat(
            rendered
                .get("ClusterRoleBinding", "stasis-agent")
                .as(ClusterRoleBinding.class)
                .getSubjects())
        .extracting(Subject::getName)
        .containsExactly("my-agent");
    assertThat(
            rendered
                .get("ClusterRoleBinding", "stasis-operator")
                .as(ClusterRoleBinding.class)
                .getSubjects())
        .extracting(Subject::getName)
        .containsExactly("my-operator");
    assertThat(Manifests.pod(Manifests.agent(rendered)).getServiceAccountName())
        .isEqualTo("my-agent");
    assertThat(Manifests.pod(Manifests.operator(rendered)).getServiceAccountName())
        .isEqualTo("my-operator");
    var agentEnv = Manifests.env(Manifests.only(Manifests.pod(Manifests.agent(rendered))));
    assertThat(Manifests.value(agentEnv, "STASIS_ALLOWED_CALLERS"))
        .isEqualTo("system:serviceaccount:" + NS + ":my-operator");
  }
}
