#!/usr/bin/env bash
# Lint step: clang-format on every source, then the project's .clang-tidy on
# the product folders listed below, with the compile commands the test build
# exports. Fails on any finding. Usage: scripts/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${SLUICE_TEST_BUILD:-build/test}}

# The product: every folder of lib/sluice and the sluice app. (kubesim, the
# test bed, keeps to clang-format only.)
clean='lib/sluice/[a-z_]+|apps/sluice'

mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc')
clang-format --dry-run --Werror "${sources[@]}"

if [ ! -f "$build/compile_commands.json" ]; then
  echo "tidy.sh: $build/compile_commands.json missing: configure the build first" >&2
  exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The test build's flags are g++'s; clang-tidy parses them with clang, which
# does not know every g++ warning option.
# Headers are checked with the folder they belong to (-header-filter).
run-clang-tidy -quiet -p "$build" -j "$(nproc)" -extra-arg=-Wno-unknown-warning-option \
  -header-filter="$PWD/($clean)/" "$PWD/($clean)/.*\.cpp$" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >"$log" || true
if grep -E "(warning|error):" "$log"; then
  echo "tidy.sh: clang-tidy findings above" >&2
  exit 1
fi
echo "tidy.sh: clean ($clean)"
