// `--image REF` and `--set field=value`, shared by apply, plan and validate so
// CI can check exactly what it will apply (plan/overrides.hpp does the work).
#pragma once

#include <sluice/cli/app.hpp>
#include <sluice/plan/overrides.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sluice::cli {

struct OverrideFlags {
  std::string image;
  std::vector<std::string> sets;
};

void add_override_flags(CLI::App& verb, OverrideFlags& flags);

// The overrides the flags ask for; nullopt after reporting a bad --set the
// way validate reports a plan problem (the caller exits 2).
std::optional<plan::Overrides> read_override_flags(const OverrideFlags& flags, const Context& ctx);

}  // namespace sluice::cli
