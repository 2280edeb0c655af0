#!/usr/bin/env bash
# kpt live (cli-utils' applier) against kubesim: init, apply, status, destroy.
# Real server behaviour checked:
# - a CustomResourceDefinition, once created, is served: kpt installs its
#   ResourceGroup CRD (kpt.dev/v1alpha1) and waits for the Established
#   condition, then writes the inventory as a ResourceGroup custom object
#   (apiextensions-apiserver pkg/controller/establish, pkg/apiserver/customresource_handler.go);
# - the custom object keeps its metadata whatever the CRD's schema says of it
#   and unknown fields are pruned (pkg/apiserver/schema/pruning);
# - apply uses server-side dry runs and watches the applied objects until
#   kstatus calls them Current (Deployment status as in apps/v1 types.go);
# - destroy deletes the objects and the inventory.
# kpt is the binary beside kubectl (the Cloud SDK ships both).
set -uo pipefail

kubectl=$(command -v kubectl || true)
kpt=
[ -n "$kubectl" ] && kpt="$(dirname "$(readlink -f "$kubectl")")/kpt"
[ -n "$kpt" ] && [ -x "$kpt" ] || { echo "skip: no kpt beside kubectl" >&2; exit 77; }
work=${CONFORMANCE_WORK:-$(mktemp -d)}
pkg="$work/pkg"
mkdir -p "$pkg"
printf 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: demo\n' >"$pkg/Kptfile"
cat >"$pkg/resources.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: demo-config, namespace: default}
data: {greeting: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: demo, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec:
      containers: [{name: web, image: "nginx:1.25"}]
YAML

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "kpt live init"
"$kpt" live init "$pkg" || fail "live init"
grep -q 'kind: ResourceGroup' "$pkg/resourcegroup.yaml" || fail "no resourcegroup.yaml"

step "kpt live install-resource-group"
"$kpt" live install-resource-group || fail "install-resource-group"
kubectl get crd resourcegroups.kpt.dev -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' |
  grep -qx True || fail "ResourceGroup CRD not Established"

step "kpt live apply"
out=$("$kpt" live apply "$pkg" --reconcile-timeout=60s 2>&1)
echo "$out"
echo "$out" | grep -q 'apply result: 2 attempted, 2 successful, 0 skipped, 0 failed' ||
  fail "apply did not apply both objects"
echo "$out" | grep -q 'reconcile result: 2 attempted, 2 successful, 0 skipped, 0 failed, 0 timed out' ||
  fail "apply did not reconcile both objects"
kubectl get resourcegroups.kpt.dev -n default -o name | grep -q . || fail "no inventory ResourceGroup stored"

step "kpt live status"
out=$("$kpt" live status "$pkg" 2>&1)
echo "$out"
echo "$out" | grep -q 'deployment.apps/default/demo is Current' || fail "status: deployment not Current"
echo "$out" | grep -q 'configmap/default/demo-config is Current' || fail "status: configmap not Current"

step "kpt live destroy"
out=$("$kpt" live destroy "$pkg" 2>&1)
echo "$out"
echo "$out" | grep -q 'delete result: 2 attempted, 2 successful' || fail "destroy did not delete both objects"
kubectl get configmap demo-config -n default 2>/dev/null && fail "configmap still there after destroy"
[ -z "$(kubectl get resourcegroups.kpt.dev -n default -o name)" ] || fail "inventory left after destroy"
echo "kpt live: ok"
