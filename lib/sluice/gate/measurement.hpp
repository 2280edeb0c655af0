// One measurement of a check and how its value is judged. Kept apart the way
// argo-rollouts keeps them: a value that could not be read is an Error (the
// data source failed), never a Failure (the version is bad).
#pragma once

#include <sluice/util/clock.hpp>

#include <optional>
#include <string>

namespace sluice::plan {
struct Check;
}

namespace sluice::gate {

enum class Phase {
  successful,    // the success condition held (or the failure condition did not)
  failed,        // the failure condition held (or the success condition did not)
  inconclusive,  // both conditions given and neither held
  error,         // could not measure: unreachable, timeout, bad answer, empty/NaN not handled
};

// "Successful", "Failed", "Inconclusive", "Error".
const char* to_string(Phase phase);

struct Measurement {
  Phase phase = Phase::error;
  std::optional<double> value;     // what the data source returned; absent when nothing came back
  std::optional<double> baseline;  // the stable version's value, for checks that compare
  std::string message;             // one line saying why: "result 0.21 meets failureCondition"
  util::WallTime at{};             // when it was taken
};

// A condition after evaluation: absent from the check, or present with a
// decision, or present but undecidable (nullopt: it touched NaN or an empty
// result without saying how to treat them).
struct ConditionOutcome {
  bool present = false;
  std::optional<bool> held;
};

// argo-rollouts' EvaluateResult: no conditions -> Successful; only a success
// condition -> Failed when it does not hold; only a failure condition ->
// Successful when it does not hold; both and neither holds -> Inconclusive;
// any undecidable condition -> Error.
Phase judge(ConditionOutcome success, ConditionOutcome failure);

// Evaluates the check's conditions (plan/condition.hpp) over `result` and
// `baseline` and judges them; fills a Measurement stamped `at`.
Measurement judge_value(const plan::Check& check, std::optional<double> result,
                        std::optional<double> baseline, util::WallTime at);

}  // namespace sluice::gate
