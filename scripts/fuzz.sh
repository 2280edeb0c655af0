#!/usr/bin/env bash
# Fuzzes the parsers that read untrusted input with libFuzzer: the plan
# parser (fuzz_plan), the image reference parser (fuzz_image_ref) and the
# condition language (fuzz_condition). Configures a clang build in build/fuzz
# and runs each target on a scratch copy of its seed corpus
# (tests/fuzz/corpus/<name>/; fuzz_plan also gets plans/examples).
#
#   scripts/fuzz.sh [SECONDS]        short mode (what scripts/test.sh runs): SECONDS
#                                    (default 60) in total, split across the targets
#   scripts/fuzz.sh long [TARGET...] every target (or those named) for 1,000,000
#                                    executions, one at a time, each bounded by
#                                    SLUICE_FUZZ_LONG_SECONDS (default 3600); not run by CI
#
# Exits non-zero on a finding; the crashing input is left in build/fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(fuzz_plan fuzz_image_ref fuzz_condition)
build=${SLUICE_FUZZ_BUILD:-build/fuzz}

mode=short
if [ "${1:-}" = long ]; then
  mode=long
  shift
  if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi
else
  seconds=${1:-60}
  targets=("${all_targets[@]}")
fi

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DSLUICE_FUZZ=ON >/dev/null
cmake --build "$build" --target "${targets[@]}" -j "$(nproc)"

findings="$build/findings"
mkdir -p "$findings"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# A scratch copy of the target's seeds: libFuzzer adds to the corpus it is given.
prepare_corpus() {
  local target=$1 corpus="$build/corpus/$1"
  rm -rf "$corpus"
  mkdir -p "$corpus"
  cp "tests/fuzz/corpus/${target#fuzz_}/"* "$corpus/"
  if [ "$target" = fuzz_plan ]; then cp plans/examples/*.yaml "$corpus/"; fi
  echo "$corpus"
}

# run_target TARGET LIBFUZZER-FLAGS...
run_target() {
  local target=$1 status=0
  shift
  local corpus
  corpus=$(prepare_corpus "$target")
  "$build/tests/fuzz/$target" "$corpus" "$@" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -artifact_prefix="$findings/$target-" -print_final_stats=1 || status=$?
  if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: $target found a problem (exit $status); the input is in $findings/" >&2
    echo "fuzz.sh: reproduce with: $build/tests/fuzz/$target $findings/<file>" >&2
    exit "$status"
  fi
}

if [ "$mode" = long ]; then
  limit=${SLUICE_FUZZ_LONG_SECONDS:-3600}
  for target in "${targets[@]}"; do
    echo "fuzz.sh: $target for 1000000 runs (at most ${limit}s)" >&2
    run_target "$target" -runs=1000000 -max_total_time="$limit"
  done
  exit 0
fi

# Short mode: the budget is shared, so adding a target does not lengthen CI.
share=$((seconds / ${#targets[@]}))
[ "$share" -ge 1 ] || share=1
for target in "${targets[@]}"; do
  echo "fuzz.sh: fuzzing $target for ${share}s" >&2
  run_target "$target" -max_total_time="$share"
done
