// `sluice status [--watch]` as a library function: read the rollout's status,
// hand it to the caller to show, and when following, wait (by watch) for each
// change of the record until the rollout settles.
#pragma once

#include <sluice/engine/commands.hpp>

#include <functional>
#include <string>

namespace sluice::engine {

// Settled: nothing more will happen without an operator (healthy, paused,
// degraded, aborted, rolled back), or no process runs the rollout any more.
bool status_settled(const StatusView& view);

// Shows the status once, or with `follow` after every change until it
// settles. Returns the exit code of the last status shown, 130 when
// interrupted while waiting, 6 when the watch fails; a read error as the
// error (kind not_found when there is no such rollout).
util::Result<int> follow_status(Deps& deps, const std::string& ns, const std::string& name, bool follow,
                                const std::function<void(const StatusView&)>& show);

}  // namespace sluice::engine
