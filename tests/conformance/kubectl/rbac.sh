#!/usr/bin/env bash
# kubectl <version> against kubesim with RBAC on (run with KUBESIM_ARGS="--tls
# --token ..."): a ServiceAccount's token from `kubectl create token`
# (pkg/registry/core/serviceaccount/storage/token.go), answers of `auth can-i`
# and `auth can-i --list` from RBAC (plugin/pkg/auth/authorizer/rbac/rbac.go),
# the apiserver's Forbidden wording (endpoints/handlers/responsewriters/errors.go
# forbiddenMessage) and `auth whoami` (registry/authentication/selfsubjectreview).
# usage: rbac.sh 1.33   (needs KUBECONFIG from run_case.sh)
set -uo pipefail

version=$1
source "$(dirname "$0")/lib.sh"
ns="rbac-${version//./-}"
sa="system:serviceaccount:$ns:deployer"

"$kubectl" create namespace "$ns" >/dev/null
"$kubectl" -n "$ns" create serviceaccount deployer >/dev/null
"$kubectl" -n "$ns" create role reader --verb=get,list,watch --resource=configmaps >/dev/null
"$kubectl" -n "$ns" create rolebinding reader --role=reader --serviceaccount="$ns:deployer" >/dev/null
"$kubectl" -n "$ns" create configmap web --from-literal=color=blue >/dev/null
token=$("$kubectl" -n "$ns" create token deployer --duration=15m)
[ -n "$token" ] || { echo "FAIL [$version] create token printed nothing"; exit 1; }
as=(--token "$token" -n "$ns")

# A command that must fail (exit 1) printing `want`: can-i's "no", a 403.
refused() {  # refused <name> <expected-substring> <kubectl args...>
  local name=$1 want=$2
  shift 2
  local out
  out=$("$kubectl" "$@" 2>&1)
  local rc=$?
  if [ $rc -ne 1 ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL [$version] $name: kubectl $* (exit $rc, want exit 1 and: $want)"
    echo "$out" | sed 's/^/    /' | head -30
    failed=1
  else
    echo "ok   [$version] $name"
  fi
}

check "auth can-i yes" "yes" auth can-i list configmaps "${as[@]}"
refused "auth can-i no" "no" auth can-i delete configmaps "${as[@]}"
refused "auth can-i no in another namespace" "no" auth can-i get configmaps --token "$token" -n default
check "an allowed get" "color" get configmap web -o yaml "${as[@]}"
refused "a forbidden delete, in upstream's words" \
  "Error from server (Forbidden): configmaps \"web\" is forbidden: User \"$sa\" cannot delete resource \"configmaps\" in API group \"\" in the namespace \"$ns\"" \
  delete configmap web "${as[@]}"
refused "a forbidden cluster-scope list" \
  "namespaces is forbidden: User \"$sa\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope" \
  get namespaces --token "$token"
check "auth can-i --list shows the Role's rule" "configmaps" auth can-i --list "${as[@]}"
check "auth can-i --list shows its verbs" "[get list watch]" auth can-i --list "${as[@]}"
check "auth can-i --list shows system:basic-user" "selfsubjectaccessreviews.authorization.k8s.io" \
  auth can-i --list "${as[@]}"
if [ "$version" != "1.27" ]; then  # whoami is alpha (v1alpha1) in 1.27
  check "auth whoami shows the ServiceAccount" "$sa" auth whoami "${as[@]}"
  check "auth whoami shows its groups" "system:serviceaccounts:$ns" auth whoami "${as[@]}"
fi
refused "too short a token is refused as upstream does" \
  "may not specify a duration less than 10 minutes" -n "$ns" create token deployer --duration=5m

exit $failed
