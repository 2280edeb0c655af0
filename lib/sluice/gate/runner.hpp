// Runs a set of checks to a verdict on an injected clock: each check measures
// at its own interval, every measurement is reported through a callback (so
// the engine can record it in state and JSON events), and the first check to
// fail, error out or turn inconclusive stops the rest.
#pragma once

#include <sluice/gate/analysis.hpp>
#include <sluice/gate/provider.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sluice::plan {
struct Plan;
}

namespace sluice::gate {

struct CheckSpec {
  std::string name;
  Limits limits;
  std::shared_ptr<Provider> provider;
};

// Builds the specs for the named checks of a plan; not_found for an unknown name.
util::Result<std::vector<CheckSpec>> make_check_specs(const plan::Plan& plan,
                                                      const std::vector<std::string>& names,
                                                      http::Client& client, util::Clock& clock);

struct CheckResult {
  std::string name;
  Verdict verdict = Verdict::running;
  Counts counts;
  std::string message;  // AnalysisRun::explain(), plus the last measurement's message
  std::vector<Measurement> measurements;
};

struct AnalysisResult {
  Verdict verdict = Verdict::running;  // running only when cancelled
  std::string message;                 // "check 'errors': 2 failed measurements exceed failureLimit 1: ..."
  std::vector<CheckResult> checks;
};

// Called after each measurement with the check's name, the measurement and
// the check's run as it stands after counting it.
using MeasurementCallback =
    std::function<void(const std::string& check, const Measurement& measurement, const AnalysisRun& run)>;

// Not thread-safe: one driver thread polls or runs it.
class AnalysisRunner {
 public:
  AnalysisRunner(std::vector<CheckSpec> checks, CheckContext context, util::Clock& clock,
                 MeasurementCallback on_measurement = {});

  // For drivers that wait on other things too (watches): when poll() next has
  // work; TimePoint::max() once every check has its verdict (nothing to wake
  // for: a time in the past here would make a driver's wait loop spin).
  util::TimePoint next_due() const;
  // Takes every measurement due now; returns the combined verdict.
  Verdict poll(const util::CancelToken* cancel);
  // Blocks (sleeping on the clock, interruptible by `cancel`) until a verdict.
  AnalysisResult run(const util::CancelToken* cancel);
  // Ends checks that are still running (background checks): see AnalysisRun::finish.
  AnalysisResult finish();
  AnalysisResult result() const;
  // The step or weight moved on: later measurements use the new variables.
  void set_context(CheckContext context) { context_ = std::move(context); }

  struct Entry;  // one check's provider, run and schedule (defined in runner.cpp)

 private:
  std::vector<std::shared_ptr<Entry>> entries_;
  CheckContext context_;
  util::Clock* clock_;
  MeasurementCallback on_measurement_;
};

// Convenience: runs `checks` to a verdict. No checks -> Successful.
AnalysisResult run_checks(std::vector<CheckSpec> checks, const CheckContext& context, util::Clock& clock,
                          const util::CancelToken* cancel, MeasurementCallback on_measurement = {});

}  // namespace sluice::gate
