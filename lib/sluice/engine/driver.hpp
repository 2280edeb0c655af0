// One rollout run: walks the plan's named steps (strategy/steps.hpp), writing
// the record before each step, and turns each step's result into the next
// step, a pause, or a rollback, and the run's end into an exit code. The
// strategy (strategy_driver.hpp, chosen once from the plan) runs its own
// steps and its rollback; this class is what the strategies share.
#pragma once

#include <sluice/engine/context.hpp>
#include <sluice/engine/preflight.hpp>
#include <sluice/engine/step_result.hpp>
#include <sluice/engine/strategy_driver.hpp>
#include <sluice/engine/writes.hpp>
#include <sluice/gate/runner.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/strategy/steps.hpp>

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace sluice::engine {

class Driver {
 public:
  Driver(const plan::Plan& plan, Deps& deps, state::RecordStore& store, state::Record record, Target target);

  // Runs from record.step_index to the end, a pause or a rollback.
  Outcome run();
  // Returns the target to the previous version (record.previous) and records
  // `final_phase` (RolledBack after a failure, Aborted on request).
  Outcome roll_back(const std::string& why, state::RecordPhase final_phase);

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
  StrategyDriver& strategy() { return *strategy_; }
  // The cluster writes, stopped by cancel() as it is when each write starts.
  Writes& writes() { return writes_; }
  // The watch scope of the rollout's pods (wait.hpp rollout_pods), computed once.
  const kube::WatchScope& pods() const { return pods_; }

 private:
  StepResult execute(const strategy::StepSpec& step);
  StepResult run_checks_step(const strategy::StepSpec& step);
  void mark_step(std::size_t index, state::StepState state, const std::string& message);
  Outcome finish_paused(const std::string& message, PauseReason reason);
  Outcome finish_interrupted();
  Outcome finish_healthy();
  Outcome finish_aborted();
  // The run's last record write, letting the lock go with it (no Lease delete after it).
  util::Status save_final(bool append_to_history);
  int watch_requests();  // subscribes to the record; returns the subscription id
  static bool same_step_names(const std::vector<state::StepRecord>& recorded,
                              const std::vector<strategy::StepSpec>& steps);
  void restart_steps();

  const plan::Plan& plan_;
  Deps& deps_;
  state::RecordStore& store_;
  state::Record record_;
  Target target_;
  std::vector<strategy::StepSpec> steps_;
  std::unique_ptr<gate::AnalysisRunner> background_;
  std::shared_ptr<RunRequests> requests_ = std::make_shared<RunRequests>();
  bool rolling_back_ = false;
  Writes writes_;
  kube::WatchScope pods_;
  std::unique_ptr<StrategyDriver> strategy_;
};

// The template variables checks see (the strategy first learns the template
// hashes it can), and the callback that records each measurement in the
// rollout record and the event stream.
gate::CheckContext check_context(Driver& d, int step);
gate::MeasurementCallback record_measurements(Driver& d, const std::string& step_name);

// The runner for named checks measured at `step` (-1: in the background),
// recording under `step_name`. The error ends the step: the StepResult says how
// (needs a human without an HTTP client, a rollback when a check cannot be built).
using RunnerOrEnd = std::variant<std::unique_ptr<gate::AnalysisRunner>, StepResult>;
RunnerOrEnd analysis_runner(Driver& d, const std::vector<std::string>& checks, const std::string& step_name,
                            int step);

// Runs named checks to a verdict, recording each measurement.
StepResult run_named_checks(Driver& d, const std::vector<std::string>& checks, const std::string& step_name);

// Fills record.next/previous.pod_template_hash from the versions' current
// ReplicaSets once they exist. Costs a list only while unknown.
void learn_both_template_hashes(Driver& d);

}  // namespace sluice::engine
