#!/usr/bin/env bash
# helm 3 (its default Secret storage) against kubesim.
# Real server behaviour checked: helm's typed Secret client sends protobuf
# (application/vnd.kubernetes.protobuf) and a real apiserver decodes it;
# `--wait` reads Deployment status the way kstatus/kubectl do
# (helm pkg/kube/ready.go: updatedReplicas, availableReplicas, observedGeneration).
# helm is found in tools/helm (scripts/install-deps.sh unpacks it there) or on PATH.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
helm="$here/../../../tools/helm"
[ -x "$helm" ] || helm=$(command -v helm || true)
[ -n "$helm" ] && [ -x "$helm" ] || { echo "skip: no helm (scripts/install-deps.sh puts it in tools/)" >&2; exit 77; }
work=${CONFORMANCE_WORK:-$(mktemp -d)}
chart="$work/chart"
mkdir -p "$chart/templates"
printf 'apiVersion: v2\nname: web\nversion: 0.1.0\n' >"$chart/Chart.yaml"
cat >"$chart/templates/all.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}-web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:{{ .Values.tag | default "1.25" }}"}]
---
apiVersion: v1
kind: Service
metadata: {name: {{ .Release.Name }}-web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-cfg}
data: {a: b}
YAML
export HELM_CACHE_HOME="$work/helm-cache" HELM_CONFIG_HOME="$work/helm-config" HELM_DATA_HOME="$work/helm-data"
failed=0
step() {  # step <name> <expected-substring> <helm args...>
  local name=$1 want=$2
  shift 2
  local out
  out=$("$helm" "$@" 2>&1)
  local rc=$?
  if [ $rc -ne 0 ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL helm $name: helm $* (exit $rc)"
    echo "$out" | sed 's/^/    /' | head -20
    failed=1
  else
    echo "ok   helm $name"
  fi
}
step "install --wait" "STATUS: deployed" upgrade --install r1 "$chart" -n default --wait --timeout 60s
step "upgrade --wait" "REVISION: 2" upgrade --install r1 "$chart" -n default --wait --timeout 60s --set tag=1.26
step "list" "r1" list -n default
step "history" "Upgrade complete" history r1 -n default
step "uninstall" "uninstalled" uninstall r1 -n default --wait --timeout 60s
exit $failed
