// The gate between two waves: the release's own checks (e.g. a business
// metric from a global Prometheus) must pass, and keep passing until the
// wave's bake time has passed on the injected clock. Internal to
// lib/sluice/release.
#pragma once

#include <sluice/plan/release_model.hpp>
#include <sluice/release/target_env.hpp>

#include <string>

namespace sluice::release {

struct GateResult {
  bool passed = false;
  bool interrupted = false;
  std::string why;  // when not passed
};

GateResult gate_after_wave(const plan::Release& release, const plan::Wave& wave, const SharedDeps& shared);

}  // namespace sluice::release
