#include <sluice/state/phase.hpp>

#include <array>
#include <utility>

namespace sluice::state {

namespace {
constexpr std::array<std::pair<RecordPhase, const char*>, 7> k_phase_names{{
    {RecordPhase::progressing, "Progressing"},
    {RecordPhase::paused, "Paused"},
    {RecordPhase::rolling_back, "RollingBack"},
    {RecordPhase::healthy, "Healthy"},
    {RecordPhase::degraded, "Degraded"},
    {RecordPhase::aborted, "Aborted"},
    {RecordPhase::rolled_back, "RolledBack"},
}};
}  // namespace

const char* to_string(RecordPhase phase) {
  for (const auto& [p, name] : k_phase_names)
    if (p == phase) return name;
  return "Unknown";
}

std::optional<RecordPhase> parse_record_phase(const std::string& text) {
  for (const auto& [p, name] : k_phase_names)
    if (text == name) return p;
  return std::nullopt;
}

bool is_terminal(RecordPhase phase) {
  return phase != RecordPhase::progressing && phase != RecordPhase::paused &&
         phase != RecordPhase::rolling_back;
}

const char* to_string(PauseReason reason) {
  switch (reason) {
    case PauseReason::none: return "";
    case PauseReason::step: return "step";
    case PauseReason::inconclusive: return "inconclusive";
    case PauseReason::failed: return "failed";
  }
  return "";
}

PauseReason parse_pause_reason(const std::string& text) {
  for (auto reason : {PauseReason::step, PauseReason::inconclusive, PauseReason::failed})
    if (text == to_string(reason)) return reason;
  return PauseReason::none;
}

}  // namespace sluice::state
