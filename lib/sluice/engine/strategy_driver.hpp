// One interface per strategy, chosen once from the plan's StrategyKind
// (strategies.cpp holds the only table). The Driver walks the steps, writes
// the record and turns results into outcomes and exit codes; a strategy does
// only what is its own: its step kinds, its way back to the version that
// served before, and what it adds to checks and `status`. A new strategy is
// one file implementing this plus one row in strategies.cpp.
#pragma once

#include <sluice/engine/step_result.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/state/record.hpp>
#include <sluice/strategy/steps.hpp>
#include <sluice/util/result.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sluice::engine {

class Driver;
struct Deps;

class StrategyDriver {
 public:
  virtual ~StrategyDriver() = default;
  // Runs one of this strategy's own step kinds (the Driver runs the shared
  // ones: run_checks' default, await_promotion and finish).
  virtual StepResult execute(const strategy::StepSpec& step) = 0;
  // Fills in what the record must hold before `step` writes anything: the
  // Driver saves it with the step's start, in the same write.
  virtual void prepare(const strategy::StepSpec& /*step*/) {}
  // A run_checks step; the canary measures them alongside its traffic.
  virtual StepResult run_checks(const strategy::StepSpec& step);
  // Returns the target to record.previous. The value says what serves now;
  // an error is cancelled when interrupted (the rollback is unfinished), else
  // the reason the rollback failed (a human must look).
  virtual util::Result<std::string> roll_back() = 0;
  // Records the versions' pod-template hashes once their ReplicaSets exist
  // ({{canary_hash}}, {{stable_hash}}); the canary learns its own.
  virtual void learn_template_hashes();

 protected:
  explicit StrategyDriver(Driver& d) : d_(d) {}
  Driver& d_;
};

// What every strategy's table row says; strategies.cpp has one per kind.
struct StrategyEntry {
  plan::StrategyKind kind;
  std::unique_ptr<StrategyDriver> (*make)(Driver& d);
  // A new rollout starts after `last` ended healthy: release what `last`
  // kept for a quick rollback (blue-green's warm version). May be null.
  void (*superseded)(const state::Record& last, Deps& deps);
  // The Deployments `status` shows for a record: (name, role) pairs.
  std::vector<std::pair<std::string, std::string>> (*versions)(const state::Record& record);
  // `abort` of a paused rollout, before the lock: moves traffic back as the
  // very first write when that is safe without waiting (true: it did). May be null.
  util::Result<bool> (*abort_first)(const state::Record& record, Deps& deps);
  // Whether the cluster says an abort of `record` began with abort_first. May be null.
  bool (*aborted_first)(kube::Client& kube, const state::Record& record);
};

const StrategyEntry& strategy_entry(plan::StrategyKind kind);

// The strategies, one file each.
std::unique_ptr<StrategyDriver> make_rolling(Driver& d);
std::unique_ptr<StrategyDriver> make_blue_green(Driver& d);
std::unique_ptr<StrategyDriver> make_canary(Driver& d);
void retire_kept_warm(const state::Record& last, Deps& deps);  // bluegreen.cpp
// bluegreen_abort.cpp: the abort that writes the live Service first.
util::Result<bool> switch_back_first(const state::Record& rec, Deps& deps);
bool aborted_on_service(kube::Client& kube, const state::Record& rec);
// Whether the live Service `service` carries the abort mark of `rec`.
bool marked_aborted(const nlohmann::json& service, const state::Record& rec);

}  // namespace sluice::engine
