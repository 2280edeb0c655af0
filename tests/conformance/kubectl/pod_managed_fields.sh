#!/usr/bin/env bash
# kubectl <version> reads and writes the field ownership of a pod a
# ReplicaSet made, as on a real cluster: kube-controller-manager's entry for
# the create and the kubelet's for its status writes, kept through a
# `kubectl label`, an apply by a new manager, and a conflicting apply.
# Each check names the real behaviour and the upstream file it comes from.
# usage: pod_managed_fields.sh 1.33   (needs KUBECONFIG from run_case.sh)
set -uo pipefail

version=$1
source "$(dirname "$0")/lib.sh"
ns="podmf-${version//./-}"
work=${CONFORMANCE_WORK:-$(mktemp -d)}
managers='{range .metadata.managedFields[*]}{.manager}/{.operation}/{.subresource} {end}'

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

pod_manifest() {  # pod_manifest <file> <extra yaml under the pod>
  cat >"$1" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $pod
  namespace: $ns
$2
YAML
}

"$kubectl" create namespace "$ns" >/dev/null
"$kubectl" -n "$ns" create deployment web --image=nginx:1.25 --port=80 --replicas=1 >/dev/null
"$kubectl" -n "$ns" rollout status deployment/web --timeout=30s >/dev/null
pod=$("$kubectl" -n "$ns" get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
rs_uid=$("$kubectl" -n "$ns" get rs -l app=web -o jsonpath='{.items[0].metadata.uid}')

# apimachinery managedfields/internal/fieldmanager.go: the ReplicaSet
# controller's create (user agent kube-controller-manager) is an Update entry;
# the kubelet's status writes (pkg/kubelet/status/status_manager.go, a patch
# of /status) are an Update entry with subresource status; the scheduler's
# binding (pkg/registry/core/pod/storage BindingREST) writes storage directly
# and adds none.
check "a ReplicaSet's pod has the controller's and the kubelet's entries" \
  "kube-controller-manager/Update/ kubelet/Update/status " \
  -n "$ns" get pod "$pod" --show-managed-fields -o jsonpath="$managers"
# structured-merge-diff fieldpath: ports keyed by their list-map keys
# (containerPort, protocol), ownerReferences (structType=atomic) by uid.
check "the controller owns the port by containerPort and protocol" 'k:{"containerPort":80,"protocol":"TCP"}' \
  -n "$ns" get pod "$pod" --show-managed-fields -o yaml
check "the controller owns the ReplicaSet's ownerReference" "k:{\"uid\":\"$rs_uid\"}" \
  -n "$ns" get pod "$pod" --show-managed-fields -o yaml
# core/v1 PodStatus: containerStatuses is +listType=atomic, podIPs keyed by ip.
check "the kubelet owns containerStatuses as a whole" "f:containerStatuses: {}" \
  -n "$ns" get pod "$pod" --show-managed-fields -o yaml

# kubectl label is an Update by the manager kubectl-label
# (staging/src/k8s.io/kubectl/pkg/cmd/label: FieldManager default); the
# other managers keep their entries.
"$kubectl" -n "$ns" label pod "$pod" team=a >/dev/null
check "kubectl label adds its entry and keeps both" \
  "kube-controller-manager/Update/ kubelet/Update/status kubectl-label/Update/ " \
  -n "$ns" get pod "$pod" --show-managed-fields -o jsonpath="$managers"

# A new manager may apply a field nobody owns.
pod_manifest "$work/label.yaml" '  labels: {owner: tooling}'
check "server-side apply of a label by a new manager" "serverside-applied" \
  apply --server-side --field-manager=tooling -f "$work/label.yaml"
check "the applied label is stored" "tooling" -n "$ns" get pod "$pod" -o jsonpath='{.metadata.labels.owner}'

# ...but applying a new value for a field the controller owns is a 409
# (structured-merge-diff merge/conflict.go; apiserver
# internal/fieldmanager conflict.go printManager: `"<manager>" using <apiVersion>`).
pod_manifest "$work/image.yaml" "  labels: {owner: tooling}
spec:
  containers:
  - {name: nginx, image: \"nginx:1.26\"}"
check_refused "applying the controller's image conflicts with kube-controller-manager" \
  'Apply failed with 1 conflict: conflict with "kube-controller-manager" using v1: .spec.containers[name="nginx"].image' \
  apply --server-side --field-manager=tooling -f "$work/image.yaml"
check "the image is unchanged" "nginx:1.25" -n "$ns" get pod "$pod" -o jsonpath='{.spec.containers[0].image}'
check "forcing takes the image over" "serverside-applied" \
  apply --server-side --field-manager=tooling --force-conflicts -f "$work/image.yaml"
check "the forced image is stored" "nginx:1.26" -n "$ns" get pod "$pod" -o jsonpath='{.spec.containers[0].image}'

"$kubectl" delete namespace "$ns" --wait=false >/dev/null 2>&1
exit $failed
