#!/usr/bin/env bash
# Runs `sluice apply` for the composite action (and for anyone's CI): prints
# one line saying what happened, writes `outcome` and `exit-code` to
# $GITHUB_OUTPUT when set, and exits 0 only for a deploy (or a pause when
# SLUICE_ALLOW_PAUSE=true). Codes: docs/exit-codes.md. A held rollout (8, a
# gate failed with automatic rollback off) never passes: it is not a pause.
set -uo pipefail
args=(apply "$SLUICE_PLAN" -o json)
[ -n "${SLUICE_NS:-}" ] && args+=(-n "$SLUICE_NS")
[ -n "${SLUICE_CTX:-}" ] && args+=(--context "$SLUICE_CTX")
[ -n "${SLUICE_TIMEOUT:-}" ] && args+=(--timeout "$SLUICE_TIMEOUT")
"${SLUICE:-sluice}" "${args[@]}"
code=$?
pass=1
case $code in
  0) outcome=deployed pass=0 ;;
  2) outcome=usage ;;
  3) outcome=rolled-back ;;
  4) outcome=paused; [ "${SLUICE_ALLOW_PAUSE:-true}" = true ] && pass=0 ;;
  5) outcome=locked ;;
  6) outcome=preflight-failed ;;
  7) outcome=needs-human ;;
  8) outcome=held ;;
  9) outcome=lock-lost ;;
  10) outcome=timed-out ;;
  130) outcome=interrupted ;;
  *) outcome=failed ;;
esac
echo "sluice apply: $outcome (exit $code)"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  printf 'outcome=%s\nexit-code=%s\n' "$outcome" "$code" >>"$GITHUB_OUTPUT"
fi
exit $pass
