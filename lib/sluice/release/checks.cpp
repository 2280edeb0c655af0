#include <sluice/release/checks.hpp>

#include <sluice/gate/runner.hpp>

#include <algorithm>

namespace sluice::release {

namespace {

GateResult run_once(const plan::Release& release, const SharedDeps& shared) {
  plan::Plan checks_only;
  checks_only.name = release.name;
  checks_only.checks = release.checks;
  std::vector<std::string> names;
  for (const auto& [name, check] : release.checks) names.push_back(name);
  if (shared.http == nullptr) return {false, false, "no HTTP client to run the release's checks"};
  auto specs = gate::make_check_specs(checks_only, names, *shared.http, *shared.clock);
  if (!specs) return {false, false, specs.error().message};
  gate::CheckContext context;
  context.rollout = release.name;
  auto result = gate::run_checks(std::move(*specs), context, *shared.clock, &shared.interrupt->token());
  if (result.verdict == gate::Verdict::successful) return {true, false, ""};
  if (shared.interrupt->fired()) return {false, true, "interrupted during the release's checks"};
  return {false, false, "the release's checks did not pass: " + result.message};
}

}  // namespace

GateResult gate_after_wave(const plan::Release& release, const plan::Wave& wave, const SharedDeps& shared) {
  util::Clock& clock = *shared.clock;
  auto until = clock.now() + wave.bake;
  if (release.checks.empty()) {
    if (wave.bake.count() == 0 || clock.sleep_for(wave.bake, &shared.interrupt->token()))
      return {true, false, ""};
    return {false, true, "interrupted while baking"};
  }
  // Each run takes the checks' own measurements (count at interval); they
  // run again until the bake time has passed, so it is green throughout.
  util::Duration interval = util::Duration::max();
  for (const auto& [name, check] : release.checks) interval = std::min(interval, check.interval);
  for (;;) {
    GateResult once = run_once(release, shared);
    auto now = clock.now();
    if (!once.passed || now >= until) return once;
    auto left = std::chrono::duration_cast<util::Duration>(until - now);
    if (!clock.sleep_for(std::min(interval, left), &shared.interrupt->token()))
      return {false, true, "interrupted while baking"};
  }
}

}  // namespace sluice::release
