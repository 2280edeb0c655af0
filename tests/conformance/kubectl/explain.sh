#!/usr/bin/env bash
# `kubectl explain` (kubectl <version>) against kubesim.
# Real server behaviour checked: /openapi/v3 lists one document per group
# version (kube-openapi pkg/handler3: paths -> serverRelativeURL), and each
# document's components.schemas holds the kinds' schemas tagged with
# x-kubernetes-group-version-kind, struct fields as allOf/$ref
# (kubectl pkg/explain/v2 finds the kind by that tag and follows the refs).
# A CRD's openAPIV3Schema is published the same way (apiextensions-apiserver
# pkg/controller/openapiv3). Field descriptions are kubesim's own: the checks
# look at structure (kinds, field names, types), not upstream wording.
# usage: explain.sh 1.27|1.30|1.33   (needs KUBECONFIG from run_case.sh)
set -uo pipefail

version=$1
source "$(dirname "$0")/lib.sh"

# Its own check: `kubectl explain <what>` must hold every substring given.
check() {  # check <what> <expected-substring>...: every substring must be in `kubectl explain <what>`
  local what=$1
  shift
  local out
  out=$("$kubectl" explain "$what" 2>&1)
  local rc=$?
  for want in "$@"; do
    if [ $rc -ne 0 ] || [[ "$out" != *"$want"* ]]; then
      echo "FAIL [$version] explain $what: exit $rc, want: $want"
      echo "$out" | sed 's/^/    /' | head -20
      failed=1
      return
    fi
  done
  echo "ok   [$version] explain $what"
}

check deployments 'KIND:       Deployment' 'GROUP:      apps' 'spec	<DeploymentSpec>' 'metadata	<ObjectMeta>'
check deployment.spec.strategy 'FIELD: strategy <DeploymentStrategy>' 'rollingUpdate	<RollingUpdateDeployment>' \
  'type	<string>'
check pods 'KIND:       Pod' 'spec	<PodSpec>'
check pod.spec.containers 'containers <[]Container>' 'image	<string>' 'ports	<[]ContainerPort>'
check services 'KIND:       Service' 'spec	<ServiceSpec>'
check configmaps 'KIND:       ConfigMap' 'data	<map[string]string>'
check leases 'KIND:       Lease' 'GROUP:      coordination.k8s.io' 'spec	<LeaseSpec>'

# A custom resource: explain reads the CRD's schema once it is served.
"$kubectl" apply -f - >/dev/null <<'YAML' || { echo "FAIL [$version] creating the Widget CRD"; exit 1; }
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: The widget's desired state.
            properties:
              size: {type: integer, description: How big the widget is.}
YAML
for _ in $(seq 1 50); do "$kubectl" get widgets >/dev/null 2>&1 && break; sleep 0.1; done
check widgets.spec 'KIND:       Widget' 'GROUP:      example.com' 'size	<integer>' 'How big the widget is.'

exit $failed
