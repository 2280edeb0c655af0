// The one run behind `sluice diff PLAN` and `sluice apply PLAN --dry-run`:
// load the plan as apply does, then engine::dry_run_plan with the diff
// printed as kubectl diff prints it (text) or as `diff` events (-o json).
#pragma once

#include <sluice/cli/app.hpp>
#include <sluice/cli/override_flags.hpp>

#include <string>

namespace sluice::cli {

// `exit_code_on_changes`: exit k_exit_changes (11) when an object would change (`diff --exit-code`).
int run_dry_run(Context& ctx, const std::string& plan_path, const OverrideFlags& flags,
                bool exit_code_on_changes);

}  // namespace sluice::cli
