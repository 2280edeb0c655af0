# Shared by the kubectl conformance scripts (sourced after `version=$1`):
# resolves the versioned kubectl beside the image's kubectl (exit 77, ctest's
# SKIP, when it is missing), starts `failed` at 0, and defines `check`.

dir=$(dirname "$(readlink -f "$(command -v kubectl 2>/dev/null || echo /nonexistent)")")
kubectl="$dir/kubectl.$version"
[ -x "$kubectl" ] || { echo "skip: no $kubectl" >&2; exit 77; }
failed=0

check() {  # check <name> <expected-substring> <kubectl args...>
  local name=$1 want=$2
  shift 2
  local out
  out=$("$kubectl" "$@" 2>&1)
  local rc=$?
  if [ $rc -ne 0 ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL [$version] $name: kubectl $* (exit $rc, want: $want)"
    echo "$out" | sed 's/^/    /' | head -30
    failed=1
  else
    echo "ok   [$version] $name"
  fi
}
