#!/usr/bin/env bash
# Lint step: clang-format on every source and the project's .clang-tidy on the
# product (lib/sluice, apps/). Reads the compile commands the test build
# exports; fails on any finding. Usage: scripts/tidy.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${SLUICE_TEST_BUILD:-build/test}}

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
run-clang-tidy -quiet -p "$build" -j "$(nproc)" -extra-arg=-Wno-unknown-warning-option \
  "$PWD/(lib/sluice|apps)/.*\.cpp$" >"$log" 2>&1 || true
if grep -E "(warning|error):" "$log"; then
  echo "tidy.sh: clang-tidy findings above" >&2
  exit 1
fi
echo "tidy.sh: clean"
