// The one place a strategy is chosen: a row per StrategyKind.
#include <sluice/engine/objects.hpp>
#include <sluice/engine/strategy_driver.hpp>

#include <array>

namespace sluice::engine {

namespace {

using Versions = std::vector<std::pair<std::string, std::string>>;

Versions new_and_previous(const state::Record& r) {
  return {{r.next.deployment, "new"}, {r.previous.deployment, "previous"}};
}

Versions canary_and_stable(const state::Record& r) {
  return {{canary_name(r.previous.deployment), "canary"}, {r.previous.deployment, "stable"}};
}

const std::array<StrategyEntry, 3> k_strategies{{
    {plan::StrategyKind::rolling, make_rolling, nullptr, new_and_previous, nullptr, nullptr},
    {plan::StrategyKind::blue_green, make_blue_green, retire_kept_warm, new_and_previous, switch_back_first,
     aborted_on_service},
    {plan::StrategyKind::canary, make_canary, nullptr, canary_and_stable, nullptr, nullptr},
}};

}  // namespace

const StrategyEntry& strategy_entry(plan::StrategyKind kind) {
  for (const auto& entry : k_strategies)
    if (entry.kind == kind) return entry;
  return k_strategies.front();
}

}  // namespace sluice::engine
