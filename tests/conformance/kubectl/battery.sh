#!/usr/bin/env bash
# kubectl <version> against kubesim: each check names the real apiserver
# behaviour it relies on and where that comes from upstream.
# usage: battery.sh 1.27|1.30|1.33   (needs KUBECONFIG from run_case.sh)
set -uo pipefail

version=$1
source "$(dirname "$0")/lib.sh"
ns="conf-${version//./-}"
tmp=${CONFORMANCE_WORK:-$(mktemp -d)}

check_fails() {  # check_fails <name> <expected-substring> <kubectl args...>: must exit non-zero
  local name=$1 want=$2
  shift 2
  local out
  out=$("$kubectl" "$@" 2>&1)
  local rc=$?
  if [ $rc -eq 0 ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL [$version] $name: kubectl $* (exit $rc, want a failure saying: $want)"
    echo "$out" | sed 's/^/    /' | head -20
    failed=1
  else
    echo "ok   [$version] $name"
  fi
}

cat >"$tmp/cm.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: applied, namespace: $ns}
data: {k: v}
YAML

# Typed create sends protobuf from kubectl 1.32 on (Content-Type
# application/vnd.kubernetes.protobuf, no fallback to JSON): a real server
# decodes it (apiserver handlers/create.go, negotiation of the body's media type).
check "create namespace" "namespace/$ns created" create namespace "$ns"
check "create configmap" "configmap/literal created" -n "$ns" create configmap literal --from-literal=a=b
check "create secret" "secret/s1 created" -n "$ns" create secret generic s1 --from-literal=p=q
check "create deployment" "deployment.apps/web created" -n "$ns" create deployment web --image=nginx:1.25 --replicas=2
check "create service" "service/web created" -n "$ns" create service clusterip web --tcp=80:8080
check "create serviceaccount" "serviceaccount/robot created" -n "$ns" create serviceaccount robot
check "created objects read back" "nginx:1.25" -n "$ns" get deploy web -o 'jsonpath={.spec.template.spec.containers[0].image}'
check "secret data is base64" "cQ==" -n "$ns" get secret s1 -o 'jsonpath={.data.p}'

# apply/create -f/replace/diff fetch /openapi/v2 as protobuf; kube-openapi
# answers `application/com.github.proto-openapi.spec.v2.v1.0+protobuf` (kube-openapi pkg/handler/handler.go):
# the `@` form kubectl asks for is not a valid MIME type for Go's parser (kubectl <= 1.28).
check "apply -f" "configmap/applied created" apply -f "$tmp/cm.yaml"
check "apply -f again" "configmap/applied unchanged" apply -f "$tmp/cm.yaml"
check "replace -f" "configmap/applied replaced" replace -f "$tmp/cm.yaml"
"$kubectl" -n "$ns" delete configmap applied >/dev/null 2>&1
check "create -f" "configmap/applied created" create -f "$tmp/cm.yaml"

# Paged lists: limit + continue, with remainingItemCount (api-concepts "Retrieving large results sets in chunks").
check "get with chunking" "literal" -n "$ns" get configmaps --chunk-size=1

# Objects every cluster has: a Ready node, the default ServiceAccount and
# kube-root-ca.crt in each namespace (serviceaccounts controller,
# root-ca-cert-publisher), the kubernetes Service.
check "a Ready node" "Ready" get nodes
check "default serviceaccount" "default" -n "$ns" get serviceaccount default -o name
check "kube-root-ca.crt" "kube-root-ca.crt" -n "$ns" get configmap kube-root-ca.crt -o name
check "kubernetes service" "service/kubernetes" -n default get service kubernetes -o name
check "stored kinds are listed" "No resources found" -n "$ns" get hpa,pdb,roles
# The EndpointSlice controller keeps a slice per Service (pkg/controller/endpointslice).
check "the Service's EndpointSlice" "endpointslice.discovery.k8s.io/web-" -n "$ns" get endpointslices -o name

# SelfSubjectAccessReview answers `auth can-i` (authorization/v1).
check "auth can-i" "yes" auth can-i create deployments -n "$ns"
if [ "$version" != "1.27" ]; then  # whoami went GA (authentication/v1) in 1.28
  check "auth whoami" "Username" auth whoami
fi

# A pod's log needs a container runtime: kubesim says so instead of a bare 404.
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: solo, namespace: %s}\nspec:\n  containers: [{name: web, image: "nginx:1.25"}]\n' "$ns" >"$tmp/pod.yaml"
"$kubectl" apply -f "$tmp/pod.yaml" >/dev/null 2>&1
check_fails "logs are not supported" "not supported by kubesim" -n "$ns" logs solo

"$kubectl" delete namespace "$ns" --wait=false >/dev/null 2>&1
exit $failed
