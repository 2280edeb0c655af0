#!/usr/bin/env bash
# kubectl <version> moving a Deployment from client-side to server-side apply,
# and switching its strategy to Recreate both ways, as on a real cluster. Each
# check names the real behaviour and the upstream file it comes from.
# usage: apply_migration.sh 1.33   (needs KUBECONFIG from run_case.sh)
set -uo pipefail

version=$1
source "$(dirname "$0")/lib.sh"
ns="apply-${version//./-}"
work=${CONFORMANCE_WORK:-$(mktemp -d)}

check_refused() {  # check_refused <name> <expected-substring> <kubectl args...>: must fail saying that
  local name=$1 want=$2
  shift 2
  local out
  out=$("$kubectl" "$@" 2>&1)
  local rc=$?
  if [ $rc -eq 0 ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL [$version] $name: kubectl $* (exit $rc, want refusal: $want)"
    echo "$out" | sed 's/^/    /' | head -30
    failed=1
  else
    echo "ok   [$version] $name"
  fi
}

manifest() {  # manifest <file> <replicas> <strategy yaml or empty>
  cat >"$1" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: $ns
spec:
  replicas: $2
  selector: {matchLabels: {app: web}}
  ${3:+strategy: $3}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: "nginx:1.25"}
YAML
}

"$kubectl" create namespace "$ns" >/dev/null
rolling='{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}'
manifest "$work/two.yaml" 2 "$rolling"
manifest "$work/three.yaml" 3 "$rolling"
manifest "$work/recreate.yaml" 2 '{type: Recreate}'
manifest "$work/plain.yaml" 2 ""

# apimachinery managedfields/internal/lastappliedmanager.go: a `kubectl` apply
# may take over what client-side apply last applied (the annotation still
# matches the live value) instead of conflicting with kubectl-client-side-apply;
# any other field manager still conflicts.
"$kubectl" apply -f "$work/two.yaml" >/dev/null
check_refused "another manager conflicts with client-side apply" \
  'conflict with "kubectl-client-side-apply"' apply --server-side --field-manager=other -f "$work/three.yaml"
check "server-side apply after client-side apply" "serverside-applied" apply --server-side -f "$work/three.yaml"
check "the new value is stored" "3" -n "$ns" get deployment web -o jsonpath='{.spec.replicas}'
# client-go util/csaupgrade: kubectl then moves the rest of the client-side
# manager's fields to its Apply manager with a JSON patch on
# /metadata/managedFields, which the server accepts (fieldmanager.go Update).
check "kubectl-client-side-apply's ownership moved to kubectl" "kubectl/Apply kubectl-last-applied/Apply" \
  -n "$ns" get deployment web --show-managed-fields \
  -o jsonpath='{range .metadata.managedFields[*]}{.manager}/{.operation} {end}'

# apimachinery pkg/util/strategicpatch (retainKeys) with the OpenAPI's
# x-kubernetes-patch-strategy: retainKeys on DeploymentSpec.strategy.
"$kubectl" -n "$ns" delete deployment web >/dev/null
"$kubectl" apply -f "$work/two.yaml" >/dev/null
check "client-side apply of Recreate" "configured" apply -f "$work/recreate.yaml"
check "rollingUpdate is dropped" '{"type":"Recreate"}' -n "$ns" get deployment web -o jsonpath='{.spec.strategy}'

# structured-merge-diff: fields (and maps) an applier stops applying are
# removed when nobody else owns them...
"$kubectl" -n "$ns" delete deployment web >/dev/null
"$kubectl" apply --server-side -f "$work/two.yaml" >/dev/null
check "server-side apply of Recreate" "serverside-applied" apply --server-side -f "$work/recreate.yaml"
check "the applied rollingUpdate is dropped" '{"type":"Recreate"}' \
  -n "$ns" get deployment web -o jsonpath='{.spec.strategy}'
# ...but a defaulted rollingUpdate has no owner, so it stays and the apiserver's
# validation (pkg/apis/apps/validation ValidateDeploymentStrategy) refuses.
"$kubectl" -n "$ns" delete deployment web >/dev/null
"$kubectl" apply --server-side -f "$work/plain.yaml" >/dev/null
check_refused "Recreate over a defaulted rollingUpdate is refused" \
  "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy \`type\` is 'Recreate'" \
  apply --server-side -f "$work/recreate.yaml"

"$kubectl" delete namespace "$ns" --wait=false >/dev/null 2>&1
exit $failed
