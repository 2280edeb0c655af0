#include <sluice/gate/analysis.hpp>

#include <sluice/plan/model.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace sluice::gate {

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::running: return "Running";
    case Verdict::successful: return "Successful";
    case Verdict::failed: return "Failed";
    case Verdict::inconclusive: return "Inconclusive";
    case Verdict::error: return "Error";
  }
  return "Error";
}

namespace {
int severity(Verdict verdict) {
  switch (verdict) {
    case Verdict::successful: return 0;
    case Verdict::running: return 1;
    case Verdict::inconclusive: return 2;
    case Verdict::error: return 3;
    case Verdict::failed: return 4;
  }
  return 4;
}
}  // namespace

Verdict worst(Verdict a, Verdict b) {
  return severity(a) >= severity(b) ? a : b;
}

Limits Limits::from(const plan::Check& check) {
  Limits limits;
  limits.count = check.count;
  limits.failure_limit = check.failure_limit;
  limits.inconclusive_limit = check.inconclusive_limit;
  limits.consecutive_error_limit = check.consecutive_error_limit;
  limits.interval = check.interval;
  limits.initial_delay = check.initial_delay;
  return limits;
}

void AnalysisRun::record(Phase phase) {
  if (verdict() != Verdict::running) return;
  ++counts_.measured;
  last_ = phase;
  switch (phase) {
    case Phase::successful: ++counts_.successful; break;
    case Phase::failed: ++counts_.failed; break;
    case Phase::inconclusive: ++counts_.inconclusive; break;
    case Phase::error:
      ++counts_.error;
      ++counts_.consecutive_errors;
      return;
  }
  counts_.consecutive_errors = 0;
}

Verdict AnalysisRun::verdict() const {
  if (counts_.failed > limits_.failure_limit) return Verdict::failed;
  if (counts_.inconclusive > limits_.inconclusive_limit) return Verdict::inconclusive;
  if (counts_.consecutive_errors > limits_.consecutive_error_limit) return Verdict::error;
  int judged = counts_.measured - counts_.error;
  if (limits_.count > 0 && judged >= limits_.count && counts_.consecutive_errors == 0)
    return Verdict::successful;
  if (finished_) {
    bool trustworthy = judged > 0 && counts_.consecutive_errors == 0;
    return trustworthy ? Verdict::successful : Verdict::inconclusive;
  }
  return Verdict::running;
}

Verdict AnalysisRun::finish() {
  finished_ = true;
  return verdict();
}

util::Duration AnalysisRun::next_delay() const {
  if (counts_.measured == 0) return limits_.initial_delay;
  if (last_ == Phase::error) return std::min(limits_.interval, limits_.error_retry);
  return limits_.interval;
}

std::string AnalysisRun::explain() const {
  const Counts& c = counts_;
  switch (verdict()) {
    case Verdict::failed:
      return fmt::format("{} failed measurement(s) exceed failureLimit {}", c.failed, limits_.failure_limit);
    case Verdict::inconclusive:
      if (c.inconclusive > limits_.inconclusive_limit) {
        return fmt::format("{} inconclusive measurement(s) exceed inconclusiveLimit {}", c.inconclusive,
                           limits_.inconclusive_limit);
      }
      if (c.measured == c.error) return "stopped before any measurement could be taken";
      return fmt::format("stopped after {} consecutive error(s): health could not be confirmed",
                         c.consecutive_errors);
    case Verdict::error:
      return fmt::format(
          "{} consecutive errors exceed consecutiveErrorLimit {}: the data source failed, not the version",
          c.consecutive_errors, limits_.consecutive_error_limit);
    case Verdict::successful:
      return fmt::format("{} of {} measurement(s) successful", c.successful, c.measured - c.error);
    case Verdict::running: break;
  }
  return fmt::format("{} measurement(s) taken, {} successful, {} failed, {} inconclusive, {} error(s)",
                     c.measured, c.successful, c.failed, c.inconclusive, c.error);
}

}  // namespace sluice::gate
