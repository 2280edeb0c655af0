// The failure vocabulary of a run. A step ends in a StepResult; only the
// Driver turns those (and a strategy's rollback) into an Outcome with an exit
// code (util/exit_code.hpp) and a record phase.
#pragma once

#include <sluice/gate/analysis.hpp>
#include <sluice/state/phase.hpp>

#include <optional>
#include <string>

namespace sluice::engine {

// What a run (or a command) ended in.
struct Outcome {
  int exit_code = 0;
  std::optional<state::RecordPhase> phase;  // the record phase it left; none: nothing recorded
  std::string message;                      // one line: why
};

using state::PauseReason;

enum class StepStatus { next, paused, rollback, interrupted, needs_human };

struct StepResult {
  StepStatus status = StepStatus::next;
  std::string message;
  PauseReason pause = PauseReason::step;
  static StepResult next(std::string why = "") { return {StepStatus::next, std::move(why)}; }
  static StepResult inconclusive(std::string why) {
    return {StepStatus::paused, std::move(why), PauseReason::inconclusive};
  }
  static StepResult rollback(std::string why) { return {StepStatus::rollback, std::move(why)}; }
  static StepResult needs_human(std::string why) { return {StepStatus::needs_human, std::move(why)}; }
  static StepResult interrupted(std::string why) { return {StepStatus::interrupted, std::move(why)}; }
};

// The one reading of a checks verdict for a step: passed goes on, failed or
// error rolls back, inconclusive pauses for a human (`on_hold` says how to
// go on), still running means the wait was interrupted.
StepResult after_verdict(gate::Verdict verdict, const std::string& message, const std::string& on_hold);

}  // namespace sluice::engine
