// `sluice status` and `sluice history` on the terminal: the rollout's status
// and its past rollouts as text lines or one JSON object per line.
#pragma once

#include <sluice/state/record.hpp>
#include <sluice/state/status_view.hpp>

#include <iosfwd>
#include <vector>

namespace sluice::report {

void print_status(const state::StatusView& view, std::ostream& out, bool json);
void print_history(const std::vector<state::HistoryEntry>& history, std::ostream& out, bool json);

}  // namespace sluice::report
