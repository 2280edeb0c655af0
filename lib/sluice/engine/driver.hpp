// One rollout run: walks the plan's named steps (strategy/steps.hpp), writing
// the record before each step, and turns each step's outcome into the next
// step, a pause, or a rollback. The strategy files (rolling.cpp,
// bluegreen.cpp) implement the steps; this class is what they share.
#pragma once

#include <sluice/engine/context.hpp>
#include <sluice/engine/preflight.hpp>
#include <sluice/gate/runner.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/strategy/steps.hpp>

#include <memory>
#include <string>
#include <vector>

namespace sluice::engine {

// What a step (or a whole run) ended in; exit codes from util/exit_code.hpp.
struct Outcome {
  int exit_code = 0;
  std::string phase;    // the record phase it left ("Healthy", "Paused", ...)
  std::string message;  // one line: why
};

enum class StepStatus { next, paused, rollback, interrupted, needs_human };
// Why a step paused; recorded so `status` and CI can tell them apart.
enum class PauseReason { step, inconclusive, failed };
const char* to_string(PauseReason reason);  // "step", "inconclusive", "failed"
struct StepResult {
  StepStatus status = StepStatus::next;
  std::string message;
  PauseReason pause = PauseReason::step;
  static StepResult inconclusive(std::string why) {
    return {StepStatus::paused, std::move(why), PauseReason::inconclusive};
  }
  static StepResult next() { return {}; }
  static StepResult rollback(std::string why) { return {StepStatus::rollback, std::move(why)}; }
};

class Driver {
 public:
  Driver(const plan::Plan& plan, Deps& deps, state::RecordStore& store, state::Record record, Target target);

  // Runs from record.step_index to the end, a pause or a rollback.
  Outcome run();
  // Returns the target to the previous version (record.previous) and records
  // `final_phase` (RolledBack after a failure, Aborted on request).
  Outcome roll_back(const std::string& why, strategy::RecordPhase final_phase);

  state::Record& record() { return record_; }

  // Shared by the strategy steps.
  const plan::Plan& plan() const { return plan_; }
  Deps& deps() { return deps_; }
  Target& target() { return target_; }
  const std::string& ns() const { return target_.ns; }
  // The command a human runs next for this rollout, with the flags that reach it:
  // "`sluice promote web -n shop`".
  std::string command(const std::string& verb) const;
  void emit(report::EventType type, std::string message = "", report::Json data = report::Json::object());
  bool save();  // false when the write failed; the run then stops (needs human)
  // What ends a wait: while steps run, a signal, a lost lock or an abort asked
  // for by another process; while rolling back, only the first two.
  const util::CancelToken& cancel() const { return stop().token(); }
  Interrupt& stop() const { return rolling_back_ ? *deps_.interrupt : requests_->stop(); }
  std::string stop_reason() const { return stop().reason(); }
  // Wakes `waker` when another process asks something of this run.
  void add_waker(std::weak_ptr<Wakeup> waker) { requests_->add_waker(std::move(waker)); }
  // True once for each promote asked for (by `sluice promote` or another process's request).
  bool take_promote();
  // A canary's background checks, measured across its steps in this process.
  std::unique_ptr<gate::AnalysisRunner>& background() { return background_; }

 private:
  StepResult execute(const strategy::StepSpec& step);
  StepResult run_checks_step(const strategy::StepSpec& step);
  void mark_step(std::size_t index, state::StepState state, const std::string& message);
  Outcome finish_paused(const std::string& message, PauseReason reason);
  Outcome finish_interrupted();
  Outcome finish_healthy();
  Outcome finish_aborted();
  int watch_requests();  // subscribes to the record; returns the subscription id

  const plan::Plan& plan_;
  Deps& deps_;
  state::RecordStore& store_;
  state::Record record_;
  Target target_;
  std::vector<strategy::StepSpec> steps_;
  std::unique_ptr<gate::AnalysisRunner> background_;
  std::shared_ptr<RunRequests> requests_ = std::make_shared<RunRequests>();
  bool rolling_back_ = false;
};

// The step implementations, one file per strategy.
StepResult rolling_update_template(Driver& d);
StepResult rolling_wait_rolled_out(Driver& d, const std::vector<std::string>& checks);
Outcome rolling_roll_back(Driver& d, const std::string& why);

StepResult bluegreen_create_preview(Driver& d);
StepResult bluegreen_point_preview_service(Driver& d);
StepResult bluegreen_wait_preview_ready(Driver& d);
StepResult bluegreen_switch_service(Driver& d);
StepResult bluegreen_scale_down_old(Driver& d);
Outcome bluegreen_roll_back(Driver& d, const std::string& why);

StepResult canary_create(Driver& d);
StepResult canary_move_traffic(Driver& d, const strategy::StepSpec& step);  // setWeight, setCanaryScale
StepResult canary_pause(Driver& d, const strategy::StepSpec& step);
StepResult canary_analysis(Driver& d, const strategy::StepSpec& step);
StepResult canary_promote(Driver& d);
Outcome canary_roll_back(Driver& d, const std::string& why);

// The template variables checks see, and the callback that records each
// measurement in the rollout record and the event stream.
// check_context first learns the template hashes it can (learn_template_hashes).
gate::CheckContext check_context(Driver& d, int step);
// Fills record.next/previous.pod_template_hash ({{canary_hash}}/{{stable_hash}})
// from the versions' current ReplicaSets once they exist; rolling and
// blue-green only (canary.cpp learns its own). Costs a list only while unknown.
void learn_template_hashes(Driver& d);
gate::MeasurementCallback record_measurements(Driver& d, const std::string& step_name);

// Runs named checks to a verdict, recording each measurement.
StepResult run_named_checks(Driver& d, const std::vector<std::string>& checks, const std::string& step_name);

}  // namespace sluice::engine
