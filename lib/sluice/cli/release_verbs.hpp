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

// `sluice status RELEASE` / `sluice history RELEASE`: the release record, read
// from the context and namespace the release file names (record:). Exit codes
// as for a plan's status / history (docs/exit-codes.md).
// `sluice abort RELEASE`: aborts each target in progress (release::abort_release).
int run_abort_release(Context& ctx, const ReleaseApplyArgs& args);

int run_status_release(Context& ctx, const std::string& path);
int run_history_release(Context& ctx, const std::string& path);

}  // namespace sluice::cli
