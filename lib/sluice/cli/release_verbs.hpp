// The verbs that take a plan file, when the file is a Release
// (docs/releases.md): they detect the kind and hand it here.
#pragma once

#include <sluice/cli/app.hpp>

#include <string>

namespace sluice::cli {

struct ReleaseApplyArgs {
  std::string path;
  int lease_seconds = 15;
  std::string timeout;  // "" : none
};

// `sluice apply RELEASE`: exit codes as for a plan, for the release as a whole.
int run_apply_release(Context& ctx, const ReleaseApplyArgs& args);

}  // namespace sluice::cli
