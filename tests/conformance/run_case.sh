#!/usr/bin/env bash
# Conformance tier driver: runs one real-client script against a fresh kubesim.
# Starts $KUBESIM_BIN (plus $KUBESIM_ARGS) on a free 127.0.0.1 port (it picks the port and writes the
# kubeconfig once ready), exports KUBECONFIG and KUBESIM_URL, runs the script
# under a timeout, then stops that kubesim (by its own PID only).
# usage: run_case.sh <timeout-seconds> <script> [args...]
# Exit: the script's status; 77 (ctest SKIP) when the script's client is missing.
set -uo pipefail

limit=$1
shift
: "${KUBESIM_BIN:?KUBESIM_BIN must name the kubesim binary}"
work=$(mktemp -d "${TMPDIR:-/tmp}/kubesim-conformance.XXXXXX")
sim_pid=
cleanup() {
  if [ -n "$sim_pid" ]; then
    kill "$sim_pid" 2>/dev/null
    wait "$sim_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# KUBESIM_ARGS: extra flags for a case that needs them (e.g. --tls --token T for RBAC).
# shellcheck disable=SC2086
"$KUBESIM_BIN" --port 0 --write-kubeconfig "$work/kubeconfig" --bookmark-interval-ms 1000 ${KUBESIM_ARGS:-} \
  >"$work/kubesim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 200); do
  [ -s "$work/kubeconfig" ] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$work/kubesim.log" >&2; exit 1; }
  sleep 0.05
done
[ -s "$work/kubeconfig" ] || { echo "kubesim did not start" >&2; exit 1; }

export KUBECONFIG="$work/kubeconfig"
KUBESIM_URL=$(sed -n 's/^ *server: *//p' "$KUBECONFIG" | head -1)
export KUBESIM_URL
export CONFORMANCE_WORK="$work"
timeout --kill-after=5 "$limit" "$@"
status=$?
[ "$status" -eq 124 ] && echo "conformance case timed out after ${limit}s: $*" >&2
exit "$status"
