#!/usr/bin/env bash
# Installs dependencies, builds sluice and kubesim with AddressSanitizer and
# UndefinedBehaviorSanitizer, lints (scripts/tidy.sh), runs every test tier,
# builds and installs the Debian packages (scripts/package.sh), builds the
# container image and runs it from a local registry (scripts/image.sh), then a short
# fuzz run of the parsers. This is the README's test command and all CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

build=${SLUICE_TEST_BUILD:-build/test}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON -DSLUICE_WERROR=ON \
  -DCMAKE_CXX_FLAGS="-O1" >/dev/null
cmake --build "$build" -j "$(nproc)"

# Lint: clang-format on every source, the project's .clang-tidy on the product.
./scripts/tidy.sh "$build"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# One tier at a time: the scenario and faults tiers time real rollouts, and on
# a 2-core machine running them side by side starves their deadlines.
(cd "$build" && ctest --output-on-failure --timeout 1500 -j "${SLUICE_TEST_JOBS:-1}")

# The Debian packages: a Release build, `cpack -G DEB`, `dpkg -i` into a scratch root.
./scripts/package.sh
# The container image from that Release binary, pushed, pulled back and run.
# (Running it needs chroot, so root; otherwise the image is built and measured only.)
if [ "$(id -u)" -eq 0 ]; then ./scripts/image.sh --check; else ./scripts/image.sh; fi

if [ -x scripts/fuzz.sh ]; then
  ./scripts/fuzz.sh "${SLUICE_FUZZ_SECONDS:-20}"
fi
