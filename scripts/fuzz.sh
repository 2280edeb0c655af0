#!/usr/bin/env bash
# Fuzzes the plan parser with libFuzzer for SECONDS (default 60): configures a
# clang build in build/fuzz, builds fuzz_plan, runs it on a scratch copy of the
# seed corpus (plans/examples + tests/fuzz/corpus). Exits non-zero on a finding;
# the crashing input is left in build/fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
build=${SLUICE_FUZZ_BUILD:-build/fuzz}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DSLUICE_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz_plan -j "$(nproc)"

corpus="$build/corpus"
findings="$build/findings"
rm -rf "$corpus"
mkdir -p "$corpus" "$findings"
cp plans/examples/*.yaml tests/fuzz/corpus/* "$corpus/"

echo "fuzz.sh: fuzzing the plan parser for ${seconds}s" >&2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
"$build/tests/fuzz/fuzz_plan" "$corpus" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
  -artifact_prefix="$findings/" -print_final_stats=1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz.sh: fuzz_plan found a problem (exit $status); the input is in $findings/" >&2
  echo "fuzz.sh: reproduce with: $build/tests/fuzz/fuzz_plan $findings/<file>" >&2
  exit "$status"
fi
