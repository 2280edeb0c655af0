// Where a rollout stands, as its record says: the vocabulary `status`, the
// resume rule and every command share.
#pragma once

#include <optional>
#include <string>

namespace sluice::state {

enum class RecordPhase { progressing, paused, rolling_back, healthy, degraded, aborted, rolled_back };
const char* to_string(RecordPhase phase);  // "Progressing", ...
std::optional<RecordPhase> parse_record_phase(const std::string& text);
bool is_terminal(RecordPhase phase);  // healthy, degraded, aborted, rolled_back

// Why a Paused rollout waits: a pause step, a check that could not decide, or
// a check that failed with automatic rollback off (held for a human).
enum class PauseReason { none, step, inconclusive, failed };
const char* to_string(PauseReason reason);  // "", "step", "inconclusive", "failed"
PauseReason parse_pause_reason(const std::string& text);

}  // namespace sluice::state
