#!/usr/bin/env bash
# kubectl <version> reads what a real cluster's controllers record: Events
# from the Deployment and ReplicaSet controllers, the scheduler and the
# kubelet (kubectl describe, kubectl get events). Each check names the real
# behaviour and the upstream file it comes from. Also the EndpointSlices
# `kubectl describe svc` reads.
# usage: cluster_records.sh 1.33   (needs KUBECONFIG from run_case.sh)
set -uo pipefail

version=$1
source "$(dirname "$0")/lib.sh"
ns="rec-${version//./-}"

# Re-runs a check until it passes or ~10 s pass (controllers work asynchronously).
eventually() {
  local name=$1 want=$2
  shift 2
  for _ in $(seq 1 50); do
    "$kubectl" "$@" 2>&1 | grep -qF -- "$want" && { echo "ok   [$version] $name"; return; }
    sleep 0.2
  done
  check "$name" "$want" "$@"
}

"$kubectl" create namespace "$ns" >/dev/null
"$kubectl" -n "$ns" create deployment web --image=nginx:1.25 --replicas=2 >/dev/null
"$kubectl" -n "$ns" rollout status deployment/web --timeout=30s >/dev/null
rs=$("$kubectl" -n "$ns" get rs -l app=web -o jsonpath='{.items[0].metadata.name}')
pod=$("$kubectl" -n "$ns" get pods -l app=web -o jsonpath='{.items[0].metadata.name}')

# pkg/controller/deployment/sync.go (getNewReplicaSet, scaleReplicaSet):
# "Scaled up replica set <rs> from 0 to <n>", reason ScalingReplicaSet, source
# deployment-controller; kubectl describe lists events by involvedObject.
eventually "describe deployment shows ScalingReplicaSet" \
  "ScalingReplicaSet  " -n "$ns" describe deployment web
check "ScalingReplicaSet wording and source" \
  "deployment-controller  Scaled up replica set $rs from 0 to 2" -n "$ns" describe deployment web
# pkg/controller/controller_utils.go (RealPodControl.CreatePods): "Created pod: <pod>".
eventually "describe replicaset shows SuccessfulCreate" \
  "replicaset-controller  Created pod: $pod" -n "$ns" describe rs "$rs"
# pkg/scheduler/schedule_one.go: "Successfully assigned <ns>/<pod> to <node>"
# through events.k8s.io (no source; kubectl shows reportingController).
eventually "describe pod shows Scheduled" \
  "default-scheduler  Successfully assigned $ns/$pod to kubesim-node-1" -n "$ns" describe pod "$pod"
# pkg/kubelet/kuberuntime/kuberuntime_container.go (startContainer).
eventually "describe pod shows Started" "Started container nginx" -n "$ns" describe pod "$pod"
check "describe pod shows Created" "Created container: nginx" -n "$ns" describe pod "$pod"
# pkg/kubelet/images/image_manager.go: the node's first pod of an image pulls it
# ("Pulling image ..."), later ones find it "already present on machine".
check "describe pod shows the image pull" "image \"nginx:1.25\"" -n "$ns" describe pod "$pod"
# pkg/apis/core/validation ValidatePodUpdate forbids spec changes only: a
# controller-created pod's labels and annotations may change.
check "label a controller-created pod" "pod/$pod labeled" -n "$ns" label pod "$pod" extra=yes
check "annotate a controller-created pod" "pod/$pod annotated" -n "$ns" annotate pod "$pod" note=hi
# The Event table (pkg/printers/internalversion/printers.go printEvent).
check "get events lists them" "Normal   ScalingReplicaSet" -n "$ns" get events
check "get events field selector" "SuccessfulCreate" -n "$ns" get events --field-selector reason=SuccessfulCreate

# pkg/controller/endpointslice (reconciler.go): a slice labelled
# kubernetes.io/service-name; kubectl >= 1.31 describe svc reads Endpoints from
# slices (pkg/describe/describe.go describeService), showing <none> without them.
"$kubectl" -n "$ns" create service clusterip web --tcp=80:80 >/dev/null
for _ in $(seq 1 50); do
  "$kubectl" -n "$ns" describe svc web | grep -qE '^Endpoints: +10\.244\.[0-9.]+:80,10\.244\.' && break
  sleep 0.2
done
check "describe svc shows the endpoints from the slice" ":80,10.244." -n "$ns" describe svc web
check "the slice is labelled and managed" "endpointslice-controller.k8s.io" \
  -n "$ns" get endpointslices -l kubernetes.io/service-name=web -o jsonpath='{.items[0].metadata.labels}'
check "endpoint conditions" '"ready":true,"serving":true,"terminating":false' \
  -n "$ns" get endpointslices -l kubernetes.io/service-name=web -o jsonpath='{.items[0].endpoints[0].conditions}'

# Scaling down: "Scaled down replica set <rs> from 2 to 1", a SuccessfulDelete,
# and the kubelet's "Stopping container nginx" (Killing).
"$kubectl" -n "$ns" scale deployment web --replicas=1 >/dev/null
eventually "scale down is recorded" "Scaled down replica set $rs from 2 to 1" -n "$ns" describe deployment web
eventually "SuccessfulDelete is recorded" "Deleted pod: " -n "$ns" describe rs "$rs"
eventually "Killing is recorded" "Stopping container nginx" -n "$ns" get events

"$kubectl" delete namespace "$ns" --wait=false >/dev/null 2>&1
exit $failed
