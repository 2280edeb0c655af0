#!/usr/bin/env bash
# The README demo: installs what is needed, builds sluice and kubesim, then runs
# real rollouts against kubesim (a simulated cluster) with images in a local
# docker-registry: a healthy blue-green release, then a broken one that sluice
# rolls back on its own. Everything it starts runs on 127.0.0.1 and is stopped
# on exit. Exits 0 when the demo went as designed.
#
#   scripts/demo.sh [--no-build]     (--no-build: reuse the binaries in $SLUICE_BUILD)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

build=${SLUICE_BUILD:-build/release}
if [ "${1:-}" != "--no-build" ]; then
  ./scripts/install-deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" --target sluice kubesim
fi
case $build in /*) ;; *) build=$root/$build ;; esac
sluice_bin=$build/sluice
kubesim_bin=$build/kubesim

# ---------------------------------------------------------------- plumbing --

bold="" plain=""
if [ -t 1 ]; then
  bold=$(tput bold 2>/dev/null || true)
  plain=$(tput sgr0 2>/dev/null || true)
fi
act() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
say() { printf '%s-- %s%s\n' "$bold" "$*" "$plain"; }
fail() {
  printf '\n%sDEMO FAILED: %s%s\n' "$bold" "$*" "$plain" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo.XXXXXX")
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (bounded) until FILE contains PATTERN; prints the first matching line.
wait_for_line() {
  local file=$1 pattern=$2 what=$3
  for _ in $(seq 1 200); do
    if grep -q -m1 "$pattern" "$file" 2>/dev/null; then
      grep -m1 "$pattern" "$file"
      return 0
    fi
    sleep 0.1
  done
  cat "$file" >&2 || true
  fail "$what did not start within 20 s"
}

export KUBECONFIG=$work/kubeconfig
sluice() { timeout 90 "$sluice_bin" --kubeconfig "$KUBECONFIG" "$@"; }
kubectl() { timeout 30 /usr/bin/kubectl --kubeconfig "$KUBECONFIG" "$@"; }

start_kubesim() {
  "$kubesim_bin" --port 0 --write-kubeconfig "$KUBECONFIG" >"$work/kubesim.log" 2>&1 &
  pids+=($!)
  local line
  line=$(wait_for_line "$work/kubesim.log" 'kubesim listening on' kubesim)
  kube_url=${line##* }
  # The kubeconfig appears, complete, once the server accepts requests.
  for _ in $(seq 1 100); do [ -s "$KUBECONFIG" ] && break; sleep 0.1; done
  [ -s "$KUBECONFIG" ] || fail "kubesim wrote no kubeconfig"
  say "kubesim (a simulated Kubernetes cluster) at $kube_url"
}

start_registry() {
  mkdir -p "$work/registry"
  cat >"$work/registry/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: 127.0.0.1:0
  secret: sluice-demo
EOF
  /usr/bin/docker-registry serve "$work/registry/config.yml" >"$work/registry.log" 2>&1 &
  pids+=($!)
  local line
  line=$(wait_for_line "$work/registry.log" 'listening on 127.0.0.1:' docker-registry)
  registry=$(sed -n 's/.*listening on \(127\.0\.0\.1:[0-9]*\).*/\1/p' <<<"$line")
  say "docker-registry at $registry"
}

# Pushes demo/web:TAG and prints the pinned reference sluice will deploy.
push_version() {
  local tag=$1
  ./scripts/push-image.sh "$registry" demo/web "$tag" >/dev/null
  sluice -o json image resolve "$registry/demo/web:$tag" | sed -n 's/.*"pinned": *"\([^"]*\)".*/\1/p'
}

# Sets kubesim's simulated behaviour of one image (see docs/kubesim.md).
behave() {
  curl --silent --show-error --fail --max-time 10 -o /dev/null -X PUT \
    -H 'Content-Type: application/json' --data "{\"images\":{\"$1\":$2}}" "$kube_url/kubesim/v1/config" ||
    fail "kubesim refused the behaviour of $1"
}

# Writes plans/demo/NAME with its image replaced; prints the path.
plan_for() {
  local name=$1 image=$2 out=$work/$1
  sed "s|^image: .*|image: $image|" "plans/demo/$name" >"$out"
  printf '%s' "$out"
}

# The images of the pods the live Service selects.
serving() {
  local selector
  # shellcheck disable=SC2016  # a go-template, not shell
  selector=$(kubectl -n demo get svc web -o go-template='{{range $k, $v := .spec.selector}}{{$k}}={{$v}},{{end}}')
  kubectl -n demo get pods -l "${selector%,}" \
    -o jsonpath='{range .items[*]}{.spec.containers[0].image}{"\n"}{end}' | sort -u
}

# ------------------------------------------------------------------- setup --

act "Setting the scene: a cluster, a registry, three versions of an app"
start_kubesim
start_registry
v1=$(push_version 1)
v2=$(push_version 2)
v3=$(push_version 3)
if [ -z "$v1" ] || [ -z "$v2" ] || [ -z "$v3" ]; then fail "pushing the demo images"; fi
say "pushed demo/web versions 1, 2 and 3; sluice resolves tags to digests:"
printf '     %s\n' "$v1" "$v2" "$v3"
behave "$v3" '{"crashLoop": true}'
say "kubesim is told that version 3 is broken: its pods crash on start"

sed "s|IMAGE|$v1|" plans/demo/cluster.yaml | kubectl apply -f -
kubectl -n demo rollout status deployment/web --timeout=30s
kubectl -n demo get deployments,services

# ------------------------------------------------------------------- act 1 --

act "Act 1: blue-green release of version 2 (healthy)"
say "sluice apply plans/demo/bluegreen.yaml   (image: demo/web:2)"
set +e
sluice apply "$(plan_for bluegreen.yaml "$registry/demo/web:2")"
code=$?
set -e
[ "$code" -eq 0 ] || fail "the healthy release exited $code, expected 0"
say "exit 0: version 2 serves; version 1 is kept warm for an instant rollback"
kubectl -n demo get deployments,services

# ------------------------------------------------------------------- act 2 --

act "Act 2: blue-green release of version 3 (broken: crash-looping pods)"
say "sluice apply plans/demo/bluegreen.yaml   (image: demo/web:3)"
set +e
sluice apply "$(plan_for bluegreen.yaml "$registry/demo/web:3")"
code=$?
set -e
[ "$code" -eq 3 ] || fail "the broken release exited $code, expected 3 (rolled back)"
say "exit 3 is the EXPECTED outcome: sluice saw the crashing pods and rolled back by itself"

say "sluice status web -n demo"
sluice status web -n demo || true
say "sluice history web -n demo"
sluice history web -n demo || true

now_serving=$(serving)
say "the live Service web selects pods running: $now_serving"
[ "$now_serving" = "$v2" ] || fail "expected version 2 to still serve, found: $now_serving"

act "Demo finished as designed: version 2 rolled out, broken version 3 rolled back automatically"
