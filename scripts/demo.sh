#!/usr/bin/env bash
# The README demo: installs what is needed, builds sluice and kubesim, then runs
# real canary rollouts against kubesim (a simulated cluster) with images in a
# local docker-registry, gated by Debian's Prometheus: a version with a 20%
# error rate that sluice catches by its metrics and rolls back, a healthy one
# rolled out in full, a crash-looping one rolled back by pod health, and an
# unsigned one refused at preflight. Then a release to two simulated regions
# and a disaster-recovery drill between them, with its measured RTO. A local
# webhook receiver prints the notifications of each act. Everything it starts runs on 127.0.0.1 and is stopped
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
child=""
cleanup() {
  local status=$?
  # An interrupted sluice saves its state and releases its lock (exit 130).
  if [ -n "$child" ]; then kill -INT "$child" 2>/dev/null && wait "$child" 2>/dev/null; fi
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
# Long commands run in the background so that Ctrl-C is handled at once
# (bash runs traps only between foreground commands).
bounded() {
  local seconds=$1 code=0
  shift
  timeout "$seconds" "$@" &
  child=$!
  wait "$child" || code=$?
  child=""
  return "$code"
}
sluice() { bounded 90 "$sluice_bin" --kubeconfig "$KUBECONFIG" "$@"; }
# kubectl is not in Debian 12's archive: without it the demo talks to the API
# with curl (SLUICE_DEMO_NO_KUBECTL=1 forces that path).
kubectl_path=$(command -v kubectl || true)
have_kubectl=false
if [ -z "${SLUICE_DEMO_NO_KUBECTL:-}" ] && [ -n "$kubectl_path" ]; then have_kubectl=true; fi
kubectl() { bounded 30 "$kubectl_path" --kubeconfig "$KUBECONFIG" "$@"; }
api() {
  local method=$1 path=$2
  shift 2
  curl --silent --show-error --fail --max-time 10 -X "$method" "$@" "$kube_url$path"
}

# Starts a kubesim that writes its kubeconfig to FILE (default $KUBECONFIG)
# and logs to LOG; sets kube_url.
start_kubesim() {
  local kubeconfig=${1:-$KUBECONFIG} log=${2:-$work/kubesim.log}
  "$kubesim_bin" --port 0 --write-kubeconfig "$kubeconfig" >"$log" 2>&1 &
  pids+=($!)
  local line
  line=$(wait_for_line "$log" 'kubesim listening on' kubesim)
  kube_url=${line##* }
  # The kubeconfig appears, complete, once the server accepts requests.
  for _ in $(seq 1 100); do [ -s "$kubeconfig" ] && break; sleep 0.1; done
  [ -s "$kubeconfig" ] || fail "kubesim wrote no kubeconfig"
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

# The plans' notification receiver (scripts/demo_receiver.py): one line per
# notification in its log, shown after each act.
start_receiver() {
  python3 scripts/demo_receiver.py >"$work/receiver.log" 2>&1 &
  pids+=($!)
  local line
  line=$(wait_for_line "$work/receiver.log" 'listening on 127.0.0.1:' "the notification receiver")
  receiver=http://${line##* }
  shown_notifications=1
  say "notification receiver at $receiver (a webhook that prints what sluice sends it)"
}

# Prints the notifications received since the last call.
show_notifications() {
  local lines
  lines=$(wc -l <"$work/receiver.log")
  if [ "$lines" -gt "$shown_notifications" ]; then
    say "the plan's webhook received:"
    tail -n "+$((shown_notifications + 1))" "$work/receiver.log" | sed 's/^/     /'
  fi
  shown_notifications=$lines
}

# Debian's Prometheus scraping kubesim's simulated traffic every second. It
# cannot report the port it bound, so it gets a free port of ours (retried if
# another process takes it first).
start_prometheus() {
  mkdir -p "$work/prometheus/data"
  cat >"$work/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kubesim
    static_configs:
      - targets: ['${kube_url#http://}']
EOF
  local port pid
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    /usr/bin/prometheus --config.file="$work/prometheus/prometheus.yml" \
      --storage.tsdb.path="$work/prometheus/data" --web.listen-address="127.0.0.1:$port" \
      --log.level=warn >"$work/prometheus.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    for _ in $(seq 1 200); do
      kill -0 "$pid" 2>/dev/null || break
      if curl --silent --fail --max-time 1 -o /dev/null "http://127.0.0.1:$port/-/ready"; then
        prometheus=http://127.0.0.1:$port
        say "prometheus at $prometheus, scraping kubesim every second"
        return 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
  done
  cat "$work/prometheus.log" >&2 || true
  fail "prometheus did not start"
}

# A loopback port nobody listens on now.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# Pushes demo/web:TAG and prints the pinned reference sluice will deploy.
push_version() {
  local tag=$1
  ./scripts/push-image.sh --index --sign "$work/cosign.key" "$registry" demo/web "$tag" >/dev/null
  sluice -o json image resolve "$registry/demo/web:$tag" | sed -n 's/.*"pinned": *"\([^"]*\)".*/\1/p'
}

# Sets kubesim's simulated behaviour of one image (see docs/kubesim.md).
behave() {
  curl --silent --show-error --fail --max-time 10 -o /dev/null -X PUT \
    -H 'Content-Type: application/json' --data "{\"images\":{\"$1\":$2}}" "$kube_url/kubesim/v1/config" ||
    fail "kubesim refused the behaviour of $1"
}

# Writes plans/demo/NAME with its image (and Prometheus address) replaced;
# prints the path.
plan_for() {
  local name=$1 image=$2 out=$work/$1
  sed -e "s|^image: .*|image: $image|" -e "s|address: http://127.0.0.1:9090|address: ${prometheus:-}|" \
    -e "s|url: 'http://127.0.0.1:9099/|url: '${receiver:-http://127.0.0.1:9099}/|" "plans/demo/$name" >"$out"
  printf '%s' "$out"
}

# Runs `sluice apply` on a plan and checks its exit code.
apply_expecting() {
  local expected=$1 plan=$2 tag=$3 code
  say "sluice apply plans/demo/$plan   (image: demo/web:$tag)"
  set +e
  sluice apply "$(plan_for "$plan" "$registry/demo/web:$tag")"
  code=$?
  set -e
  [ "$code" -eq "$expected" ] || fail "sluice apply of version $tag exited $code, expected $expected"
  show_notifications
}

# The images of the pods the live Service selects (curl, so that it works
# without kubectl: JSON flattened by tr/sed rather than a JSON tool).
serving() {
  local selector
  selector=$(api GET /api/v1/namespaces/demo/services/web | tr -d ' \n' |
    sed -n 's/.*"selector":{\([^}]*\)}.*/\1/p' | sed 's/"\([^"]*\)":"\([^"]*\)"/\1=\2/g')
  [ -n "$selector" ] || fail "the Service web has no selector"
  api GET "/api/v1/namespaces/demo/pods" -G --data-urlencode "labelSelector=$selector" | tr -d ' \n' |
    grep -o '"image":"[^"]*"' | sed 's/"image":"\(.*\)"/\1/' | sort -u
}

# Creates the starting point from plans/demo/cluster.yaml: with kubectl, or
# by server-side apply of each document with curl.
create_cluster() {
  local manifest=$work/cluster.yaml
  sed "s|IMAGE|$1|" plans/demo/cluster.yaml >"$manifest"
  if [ "$have_kubectl" = true ]; then
    kubectl apply -f "$manifest"
    kubectl -n demo rollout status deployment/web --timeout=30s
    kubectl -n demo get deployments,services
    return
  fi
  awk -v dir="$work" 'BEGIN {n = 0} /^---$/ {n++; next} {print > (dir "/doc" n ".yaml")}' "$manifest"
  local paths=(/api/v1/namespaces/demo /apis/apps/v1/namespaces/demo/deployments/web
    /api/v1/namespaces/demo/services/web)
  for n in 0 1 2; do
    api PATCH "${paths[$n]}?fieldManager=sluice-demo" -o /dev/null \
      -H 'Content-Type: application/apply-patch+yaml' --data-binary "@$work/doc$n.yaml" ||
      fail "creating ${paths[$n]}"
  done
  say "created namespace demo, Deployment web (5 replicas of version 1) and Service web"
  for _ in $(seq 1 150); do
    if api GET /apis/apps/v1/namespaces/demo/deployments/web | tr -d ' \n' | grep -q '"readyReplicas":5'; then
      return
    fi
    sleep 0.2
  done
  fail "Deployment web did not become ready"
}

# What runs in namespace demo (only with kubectl).
show_objects() {
  if [ "$have_kubectl" = true ]; then kubectl -n demo get deployments,services; fi
}

# Shows the rollout record and the history sluice keeps in the cluster.
show_status() {
  say "sluice status web -n demo"
  sluice status web -n demo || true
  say "sluice history web -n demo"
  sluice history web -n demo || true
}

# Fails unless the live Service selects exactly the pods of IMAGE (waiting,
# bounded, for pods of a retired version to finish terminating).
expect_serving() {
  local image=$1 label=$2 now
  for _ in $(seq 1 50); do
    now=$(serving)
    [ "$now" = "$image" ] && break
    sleep 0.1
  done
  say "the live Service web selects pods running version $label: ${now//$'\n'/ }"
  [ "$now" = "$image" ] || fail "expected version $label to serve, found: $now"
}

# Two more kubesims as two regions, the contexts eu and us of one kubeconfig
# ($regions), each running version 1 of web as the first cluster did, and in
# us the HTTPRoute that splits traffic between the regions' backends.
declare -A region_url
start_regions() {
  main_url=$kube_url
  regions=$work/regions.kubeconfig
  local region
  for region in eu us; do
    start_kubesim "$work/$region.kubeconfig" "$work/kubesim-$region.log"
    region_url[$region]=$kube_url
    (KUBECONFIG=$work/$region.kubeconfig create_cluster "${pinned[1]}" >/dev/null) ||
      fail "creating web in region $region"
  done
  {
    printf 'apiVersion: v1\nkind: Config\ncurrent-context: eu\nusers:\n- {name: demo, user: {}}\n'
    printf 'clusters:\n'
    for region in eu us; do printf -- "- {name: %s, cluster: {server: '%s'}}\n" "$region" "${region_url[$region]}"; done
    printf 'contexts:\n'
    for region in eu us; do printf -- '- {name: %s, context: {cluster: %s, user: demo}}\n' "$region" "$region"; done
  } >"$regions"
  kube_url=${region_url[us]} api POST /apis/gateway.networking.k8s.io/v1/namespaces/demo/httproutes -o /dev/null \
    -H 'Content-Type: application/json' --data '{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
      "metadata":{"name":"web"},"spec":{"parentRefs":[{"name":"edge"}],"rules":[{"backendRefs":[
      {"name":"web-eu","port":80,"weight":50},{"name":"web-us","port":80,"weight":50}]}]}}' ||
    fail "creating the HTTPRoute web in region us"
  say "regions eu (kubesim at ${region_url[eu]}) and us (kubesim at ${region_url[us]}), 5 pods"
  say "of version 1 each; the HTTPRoute web in us sends half the traffic to each region"
}

# Runs sluice against the regions' kubeconfig and checks its exit code.
regional_expecting() {
  local want=$1 code=0
  shift
  bounded 120 "$sluice_bin" --kubeconfig "$regions" "$@" || code=$?
  [ "$code" = "$want" ] || fail "sluice $* exited $code, expected $want"
}

# ------------------------------------------------------------------- setup --

act "Setting the scene: a cluster, a registry, Prometheus, versions of an app"
start_kubesim
say "kubesim (a simulated Kubernetes cluster) at $kube_url"
curl --silent --fail --max-time 5 -o /dev/null "$kube_url/metrics" || fail "this kubesim serves no /metrics"
start_registry
start_prometheus
start_receiver
# The team's signing key: every version it releases is signed, as `cosign sign
# --key` would sign it (scripts/push-image.sh --sign, with openssl); the plan
# deploys only what this key signed.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/cosign.key" 2>/dev/null ||
  fail "openssl could not make the demo's signing key"
openssl pkey -in "$work/cosign.key" -pubout -out "$work/cosign.pub" 2>/dev/null
SLUICE_DEMO_PUBLIC_KEY=$(cat "$work/cosign.pub")
export SLUICE_DEMO_PUBLIC_KEY
declare -A pinned
for tag in 1 2 3 4; do
  pinned[$tag]=$(push_version "$tag")
  [ -n "${pinned[$tag]}" ] || fail "pushing demo/web:$tag"
done
say "pushed demo/web:1 to 4 (each an index for linux/amd64 and linux/arm64), each signed by the team's key;"
say "sluice deploys by digest, never by tag: \`sluice image resolve demo/web:2\` ->"
printf '     %s\n' "${pinned[2]}"
# 100 simulated requests a second per Service keep a 4 s rate() window precise.
curl --silent --show-error --fail --max-time 10 -o /dev/null -X PUT -H 'Content-Type: application/json' \
  --data '{"defaultRate": 100}' "$kube_url/kubesim/v1/traffic" || fail "kubesim refused the traffic rate"
behave "${pinned[2]}" '{"errorRate": 0.2}'
behave "${pinned[4]}" '{"crashLoop": true}'
say "kubesim sends 100 requests/s to the Service web; version 2 answers 20% of its requests"
say "with errors, version 4's pods crash on start, versions 1 and 3 are healthy"

create_cluster "${pinned[1]}"

# ------------------------------------------------------------------- act 1 --

act "Act 1: canary of version 2, which fails 20% of its requests; Prometheus will tell"
apply_expecting 3 canary.yaml 2
say "exit 3 is the EXPECTED outcome: at 20% of the traffic the error-rate check failed, so sluice"
say "brought version 1 back to full strength, pointed the Service at it alone in one write, then"
say "scaled the canary down"
show_status
expect_serving "${pinned[1]}" 1

# ------------------------------------------------------------------- act 2 --

act "Act 2: canary of version 3 (healthy): 20% -> 60% -> 100%, checked at each share"
apply_expecting 0 canary.yaml 3
say "exit 0: version 3 passed every analysis, was promoted, and serves all traffic"
show_objects
expect_serving "${pinned[3]}" 3

# ------------------------------------------------------------------- act 3 --

act "Act 3: canary of version 4, whose pods crash-loop"
apply_expecting 3 canary.yaml 4
say "exit 3 is the EXPECTED outcome: the canary's pods crashed, so sluice rolled back by itself"
say "before any analysis; version 3 never stopped serving"
show_status
expect_serving "${pinned[3]}" 3

# ------------------------------------------------------------------- act 4 --

act "Act 4: version 5, pushed by someone without the team's signing key"
./scripts/push-image.sh --index "$registry" demo/web 5 >/dev/null || fail "pushing demo/web:5"
apply_expecting 6 canary.yaml 5
say "exit 6 is the EXPECTED outcome: preflight found no signature of version 5's digest by the"
say "plan's key, so sluice changed nothing in the cluster; version 3 still serves"
expect_serving "${pinned[3]}" 3

for what in rolledBack succeeded; do
  grep -q "^notification $what:" "$work/receiver.log" || fail "the plan's webhook received no $what notification"
done

# ------------------------------------------------------------------- act 5 --

act "Act 5: one release of version 3 to two regions, then a disaster-recovery drill"
start_regions
sed "s|^image: .*|image: ${pinned[3]}|" plans/demo/release.yaml >"$work/release.yaml"
plan_for region.yaml "${pinned[3]}" >/dev/null # beside the release, which names it
say "sluice apply release.yaml: eu first, then us, both on the digest resolved once"
regional_expecting 0 apply "$work/release.yaml"
for region in eu us; do
  kube_url=${region_url[$region]} expect_serving "${pinned[3]}" "3 in $region"
done
cp plans/demo/drill.yaml "$work/drill.yaml"
say "sluice drill drill.yaml: take eu out (us scaled up first, then the route moves), then back"
regional_expecting 0 drill "$work/drill.yaml"
say "exit 0: the RTO above was measured on this run and met its objective; failback put the"
say "route's weights and both regions' replicas back exactly as they were recorded"
kube_url=$main_url

act "Demo finished as designed: broken versions 2 and 4 were rolled back automatically, healthy version 3 rolled out in full, unsigned version 5 never reached the cluster, a release reached two regions and a drill measured its RTO"
