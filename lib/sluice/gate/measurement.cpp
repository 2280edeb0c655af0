#include <sluice/gate/measurement.hpp>

#include <sluice/plan/condition.hpp>
#include <sluice/plan/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace sluice::gate {

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::successful: return "Successful";
    case Phase::failed: return "Failed";
    case Phase::inconclusive: return "Inconclusive";
    case Phase::error: return "Error";
  }
  return "Error";
}

Phase judge(ConditionOutcome success, ConditionOutcome failure) {
  if ((success.present && !success.held) || (failure.present && !failure.held)) return Phase::error;
  bool succeeded = success.present && *success.held;
  bool failed = failure.present && *failure.held;
  if (!success.present && !failure.present) return Phase::successful;
  if (success.present && !failure.present) failed = !succeeded;
  if (!success.present && failure.present) succeeded = !failed;
  if (failed) return Phase::failed;
  if (!succeeded) return Phase::inconclusive;
  return Phase::successful;
}

namespace {

std::string format_value(std::optional<double> value) {
  if (!value) return "no data";
  if (std::isnan(*value)) return "NaN";
  if (std::isinf(*value)) return *value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{:g}", *value);
}

// NaN compares false with everything, so `result < 0.05` would quietly turn
// a broken query into a verdict. Only a condition that asks isNaN(...) decides it.
bool mentions_nan(const std::optional<plan::Condition>& condition) {
  if (!condition) return false;
  std::string lower = condition->text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("isnan(") != std::string::npos;
}

ConditionOutcome evaluate(const std::optional<plan::Condition>& condition,
                          const plan::ConditionInput& input) {
  if (!condition || !condition->expr) return {};
  return {true, plan::evaluate(*condition->expr, input)};
}

std::string describe(Phase phase, const plan::Check& check, std::optional<double> result,
                     std::optional<double> baseline) {
  std::string values = "result " + format_value(result);
  if (check.baseline) values += ", baseline " + format_value(baseline);
  switch (phase) {
    case Phase::successful:
      if (check.success_condition)
        return values + " meets successCondition '" + check.success_condition->text + "'";
      return values + " does not meet failureCondition";
    case Phase::failed:
      if (check.failure_condition)
        return values + " meets failureCondition '" + check.failure_condition->text + "'";
      return values + " does not meet successCondition '" + check.success_condition->text + "'";
    case Phase::inconclusive: return values + " meets neither successCondition nor failureCondition";
    case Phase::error: break;
  }
  return values + ": the conditions cannot judge it (no data, NaN or missing baseline)";
}

}  // namespace

Measurement judge_value(const plan::Check& check, std::optional<double> result,
                        std::optional<double> baseline, util::WallTime at) {
  Measurement m;
  m.value = result;
  m.baseline = baseline;
  m.at = at;
  bool has_nan = (result && std::isnan(*result)) || (baseline && std::isnan(*baseline));
  if (has_nan && !mentions_nan(check.success_condition) && !mentions_nan(check.failure_condition)) {
    m.phase = Phase::error;
    m.message = describe(Phase::error, check, result, baseline);
    return m;
  }
  plan::ConditionInput input{result, baseline};
  m.phase = judge(evaluate(check.success_condition, input), evaluate(check.failure_condition, input));
  m.message = describe(m.phase, check, result, baseline);
  return m;
}

}  // namespace sluice::gate
