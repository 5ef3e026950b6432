{{/* Chart name, overridable. */}}
{{- define "stasis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every resource name: the release name, or <release>-stasis. */}}
{{- define "stasis.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "stasis.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "stasis.operatorName" -}}{{ include "stasis.fullname" . }}-operator{{- end -}}
{{- define "stasis.agentName" -}}{{ include "stasis.fullname" . }}-agent{{- end -}}

{{/* Labels every resource carries. */}}
{{- define "stasis.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "stasis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: stasis
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: pass (dict "ctx" $ "component" "agent"). */}}
{{- define "stasis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stasis.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "stasis.componentLabels" -}}
{{ include "stasis.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The agent pods' label selector as the operator's STASIS_AGENT_LABEL_SELECTOR wants it. */}}
{{- define "stasis.agentSelectorString" -}}
{{- $labels := include "stasis.selectorLabels" (dict "ctx" . "component" "agent") | fromYaml -}}
{{- $pairs := list -}}
{{- range $k := keys $labels | sortAlpha -}}
{{- $pairs = append $pairs (printf "%s=%s" $k (index $labels $k)) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{- define "stasis.operatorServiceAccountName" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "stasis.operatorName" .) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "stasis.agentServiceAccountName" -}}
{{- if .Values.agent.serviceAccount.create -}}
{{- default (include "stasis.agentName" .) .Values.agent.serviceAccount.name -}}
{{- else -}}
{{- required "agent.serviceAccount.name is required when agent.serviceAccount.create is false" .Values.agent.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Image reference: pass (dict "ctx" $ "image" .Values.operator.image). */}}
{{- define "stasis.image" -}}
{{- $repo := .image.repository -}}
{{- if .ctx.Values.image.registry -}}
{{- $repo = printf "%s/%s" .ctx.Values.image.registry .image.repository -}}
{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (.image.tag | default .ctx.Values.image.tag | default .ctx.Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* TLS: the Secret the agent serves from, and the name its certificate is issued for. */}}
{{- define "stasis.agentTlsSecretName" -}}
{{- default (printf "%s-tls" (include "stasis.agentName" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{- define "stasis.agentTlsServerName" -}}
{{- printf "%s.%s.svc" (include "stasis.agentName" .) .Release.Namespace -}}
{{- end -}}

{{- define "stasis.leaseName" -}}{{ include "stasis.operatorName" . }}{{- end -}}

{{/* Service-account user names allowed to call the agent: the operator's first. */}}
{{- define "stasis.allowedCallers" -}}
{{- $callers := list (printf "system:serviceaccount:%s:%s" .Release.Namespace (include "stasis.operatorServiceAccountName" .)) -}}
{{- range .Values.agent.allowedCallers -}}
{{- $callers = append $callers . -}}
{{- end -}}
{{- join "," ($callers | uniq) -}}
{{- end -}}

{{/* Mount paths inside the containers. */}}
{{- define "stasis.agentTlsDir" -}}/etc/stasis/tls{{- end -}}
{{- define "stasis.operatorAgentCaDir" -}}/etc/stasis/agent-ca{{- end -}}
{{- define "stasis.operatorAgentTokenDir" -}}/var/run/secrets/stasis.dev/agent-token{{- end -}}
{{- define "stasis.registryAuthDir" -}}/var/run/secrets/stasis.dev/registry{{- end -}}

{{/* Checks across values that the JSON schema cannot express; run by every template. */}}
{{- define "stasis.validate" -}}
{{- if and (gt (int .Values.operator.replicas) 1) (not .Values.operator.leaderElection.enabled) -}}
{{- fail "operator.replicas > 1 needs operator.leaderElection.enabled=true: two operators without a leader would both reconcile" -}}
{{- end -}}
{{- $defaults := list -}}
{{- if and .Values.storage.filesystem.enabled .Values.storage.filesystem.default -}}
{{- $defaults = append $defaults "storage.filesystem" -}}
{{- end -}}
{{- if and .Values.storage.global.enabled .Values.storage.global.default -}}
{{- $defaults = append $defaults "storage.global" -}}
{{- end -}}
{{- if gt (len $defaults) 1 -}}
{{- fail (printf "only one storage may be the default, but %s are: set default=false on one" (join " and " $defaults)) -}}
{{- end -}}
{{- $names := dict -}}
{{- range $key := list "filesystem" "s3" "gcs" "global" -}}
{{- $s := index $.Values.storage $key -}}
{{- if $s.enabled -}}
{{- if hasKey $names $s.name -}}
{{- fail (printf "storage.%s.name %q is already used by storage.%s" $key $s.name (index $names $s.name)) -}}
{{- end -}}
{{- $_ := set $names $s.name $key -}}
{{- end -}}
{{- end -}}
{{- if .Values.storage.global.enabled -}}
{{- if has .Values.storage.global.name .Values.storage.global.members -}}
{{- fail "storage.global.members must not name the global storage itself" -}}
{{- end -}}
{{- if gt (int .Values.storage.global.writeQuorum) (len .Values.storage.global.members) -}}
{{- fail "storage.global.writeQuorum cannot exceed the number of storage.global.members" -}}
{{- end -}}
{{- end -}}
{{- $paths := list .Values.agent.kubeletCheckpointDir .Values.agent.journalDir -}}
{{- if .Values.storage.filesystem.enabled -}}
{{- $paths = append $paths .Values.storage.filesystem.path -}}
{{- end -}}
{{- if ne (len $paths) (len ($paths | uniq)) -}}
{{- fail (printf "agent.kubeletCheckpointDir, agent.journalDir and storage.filesystem.path must differ, got %s" (join ", " $paths)) -}}
{{- end -}}
{{- if and .Values.tls.certManager.enabled .Values.tls.existingSecret -}}
{{- fail "set either tls.existingSecret or tls.certManager.enabled, not both" -}}
{{- end -}}
{{- end -}}

{{/* Prometheus scrape annotations for a port. */}}
{{- define "stasis.scrapeAnnotations" -}}
{{- if .ctx.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end -}}

{{/* Operator rules for namespaced objects: in the ClusterRole, or per watched namespace. */}}
{{- define "stasis.operatorNamespacedRules" }}
  # Checkpoints: reconcile them, add the finalizer (update/patch), create the ones found in
  # storage listings (label stasis.dev/imported) and delete expired ones (spec.ttl); create a
  # CheckpointSchedule's runs and delete those its retention lets go.
  - apiGroups: ["stasis.dev"]
    resources: ["checkpoints"]
    verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
  # Restores: reconcile them and add the finalizer.
  - apiGroups: ["stasis.dev"]
    resources: ["restores"]
    verbs: ["get", "list", "watch", "update", "patch"]
  - apiGroups: ["stasis.dev"]
    resources: ["checkpoints/status", "restores/status"]
    verbs: ["update", "patch"]
  # Needed to set ownerReferences with blockOwnerDeletion to these objects.
  - apiGroups: ["stasis.dev"]
    resources: ["checkpoints/finalizers", "restores/finalizers"]
    verbs: ["update"]
  # Pods: read the pod to checkpoint (and find its node), create the restored pod, delete a
  # restored pod whose Restore failed or was deleted.
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list", "watch", "create", "delete"]
  # Restores the operator creates: one per pod of a workload checkpoint (docs/workloads.md), and
  # the Restore of a checkpoint taken before its node went away (restoreOnTermination,
  # docs/spot-and-preemption.md).
  - apiGroups: ["stasis.dev"]
    resources: ["restores"]
    verbs: ["create"]
  # CheckpointSchedules: reconcile them (status); the Checkpoints they create are owned by them
  # with blockOwnerDeletion, which needs update on their finalizers. Node termination reads them
  # too (onNodeTermination).
  - apiGroups: ["stasis.dev"]
    resources: ["checkpointschedules"]
    verbs: ["get", "list", "watch", "update", "patch"]
  - apiGroups: ["stasis.dev"]
    resources: ["checkpointschedules/status"]
    verbs: ["update", "patch"]
  - apiGroups: ["stasis.dev"]
    resources: ["checkpointschedules/finalizers"]
    verbs: ["update"]
  # Workload targets (spec.workloadRef of Checkpoints and CheckpointSchedules): read the workload's
  # pod selector.
  - apiGroups: ["apps"]
    resources: ["deployments", "statefulsets", "replicasets"]
    verbs: ["get"]
  - apiGroups: ["batch"]
    resources: ["jobs"]
    verbs: ["get"]
{{- end }}

{{/* match and priority of a CheckpointStorage spec, from storage.s3 or storage.gcs. */}}
{{- define "stasis.storageMatch" -}}
{{- if or .match.cloud .match.nodeSelector }}
match:
  {{- with .match.cloud }}
  cloud: {{ . }}
  {{- end }}
  {{- with .match.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
priority: {{ .priority }}
{{- end -}}

{{/* Registry of restore images, as both the operator (fills StartRestoreRequest) and the agent
  (falls back to it when a request names none) read it. */}}
{{- define "stasis.registryEnv" -}}
- name: STASIS_REGISTRY
  value: {{ .Values.registry.url | quote }}
- name: STASIS_REGISTRY_REPOSITORY
  value: {{ .Values.registry.repository | quote }}
- name: STASIS_REGISTRY_PLAIN_HTTP
  value: {{ .Values.registry.insecure | quote }}
{{- end -}}
