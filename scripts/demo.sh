#!/usr/bin/env bash
# Installs dependencies, builds sluice and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
build=${SLUICE_BUILD:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target sluice kubesim

sluice="$build/sluice"
echo "== sluice validate plans/examples/*.yaml"
"$sluice" validate plans/examples/*.yaml
for plan in plans/examples/*.yaml; do
  echo "== sluice plan $plan"
  "$sluice" plan "$plan"
done
