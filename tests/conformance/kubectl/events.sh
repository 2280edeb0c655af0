#!/usr/bin/env bash
# kubectl <version> reads Events both ways a real cluster serves them: core/v1
# (`kubectl events`, which lists /api/v1 events) and events.k8s.io/v1 (`kubectl
# get events.v1.events.k8s.io`), the same objects in two versions
# (kubernetes pkg/apis/events/v1/conversion.go). The pods are a missing image
# (pull failure) and a crash loop the simulated kubelet runs.
# usage: events.sh 1.33   (needs KUBECONFIG and KUBESIM_URL from run_case.sh)
set -uo pipefail

version=$1
source "$(dirname "$0")/lib.sh"
ns="ev-${version//./-}"

eventually() {  # as check, re-run until it passes or ~10 s pass (the kubelet works asynchronously)
  local name=$1 want=$2
  shift 2
  for _ in $(seq 1 50); do
    "$kubectl" "$@" 2>&1 | grep -qF -- "$want" && { echo "ok   [$version] $name"; return; }
    sleep 0.2
  done
  check "$name" "$want" "$@"
}

curl -sf -X PUT "$KUBESIM_URL/kubesim/v1/config" -H 'Content-Type: application/json' \
  -d '{"timing": {"crashRestartMs": 100},
       "images": {"registry.local/gone:1": {"missing": true}, "registry.local/crash:1": {"crashLoop": true}}}' \
  >/dev/null || { echo "FAIL [$version] could not configure kubesim"; exit 1; }
"$kubectl" create namespace "$ns" >/dev/null
"$kubectl" -n "$ns" create deployment web --image=registry.local/gone:1 >/dev/null
"$kubectl" -n "$ns" create deployment api --image=registry.local/crash:1 >/dev/null

# pkg/kubelet/images/image_manager.go: a failed pull is a Warning "Failed" and
# "Back-off pulling image"; kuberuntime_container.go: "Back-off restarting failed container".
eventually "events --types Warning shows the pull failure" "Failed to pull image \"registry.local/gone:1\"" \
  -n "$ns" events --types Warning
eventually "events shows the crash loop back-off" "Back-off restarting failed container crash" \
  -n "$ns" events --types Warning
# kubectl events --for sends fieldSelector involvedObject.kind/name (pkg/cmd/events).
check "events --for deployment/web" "Scaled up replica set web-" -n "$ns" events --for deployment/web
out=$("$kubectl" -n "$ns" events --for deployment/web 2>&1)
[[ "$out" != *"replica set api-"* ]] || { echo "FAIL [$version] events --for lists another object's events"; failed=1; }
# A watch prints events as they come; bounded by a timeout (the watch never ends by itself).
timeout 3 "$kubectl" -n "$ns" events -w --types Warning >"$CONFORMANCE_WORK/watch.txt" 2>&1
grep -qF "BackOff" "$CONFORMANCE_WORK/watch.txt" && echo "ok   [$version] events -w streams" ||
  { echo "FAIL [$version] events -w streams"; sed 's/^/    /' "$CONFORMANCE_WORK/watch.txt" | head; failed=1; }

# The same objects through events.k8s.io/v1 (the apiserver's events storage serves both versions).
check "events.k8s.io in api-resources" "events.k8s.io/v1" api-resources --api-group=events.k8s.io
eventually "get events.v1.events.k8s.io shows the pull failure" "Failed to pull image" \
  -n "$ns" get events.v1.events.k8s.io
check "events.k8s.io fields" "regarding" -n "$ns" get events.v1.events.k8s.io -o yaml
check "events.k8s.io note" "note: Back-off" -n "$ns" get events.v1.events.k8s.io -o yaml
# AddFieldLabelConversionsForEvent: events.k8s.io selects by regarding.*, not involvedObject.*.
check "events.k8s.io field selector regarding.kind" "ScalingReplicaSet" \
  -n "$ns" get events.v1.events.k8s.io --field-selector regarding.kind=Deployment,regarding.name=web
out=$("$kubectl" -n "$ns" get events.v1.events.k8s.io --field-selector involvedObject.name=web 2>&1)
[[ "$out" == *"field label not supported: involvedObject.name"* ]] && echo "ok   [$version] involvedObject is core's label" ||
  { echo "FAIL [$version] involvedObject is core's label: $out"; failed=1; }
# pkg/kubelet records through the legacy recorder, whose EventCorrelator folds a
# repeat into the same Event (count, read here as deprecatedCount).
counted=0
for _ in $(seq 1 50); do
  "$kubectl" -n "$ns" get events.v1.events.k8s.io \
    -o jsonpath='{range .items[*]}{.reason} {.deprecatedCount}{"\n"}{end}' | grep -qE '^BackOff ([2-9]|[1-9][0-9]+)$' &&
    { counted=1; break; }
  sleep 0.2
done
[ $counted -eq 1 ] && echo "ok   [$version] repeats raise one Event's count" ||
  { echo "FAIL [$version] repeats raise one Event's count"; failed=1; }
# printEvent: an events.k8s.io event without lastTimestamp shows its eventTime's age.
out=$("$kubectl" -n "$ns" get events --field-selector reason=Scheduled 2>&1)
[[ "$out" == *Scheduled* && "$out" != *"<unknown>"* ]] && echo "ok   [$version] Scheduled shows its age" ||
  { echo "FAIL [$version] Scheduled shows its age: $out"; failed=1; }
# kubectl explain reads the group version's /openapi/v3 document.
check "explain events.k8s.io/v1 Event" "deprecatedCount" explain events --api-version=events.k8s.io/v1
# ValidatePodUpdate: a pod's metadata may change (kubectl label pod).
pod=$("$kubectl" -n "$ns" get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
check "label a controller-created pod" "pod/$pod labeled" -n "$ns" label pod "$pod" seen=yes
exit $failed
