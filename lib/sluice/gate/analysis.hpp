// The analysis-run state machine of one check: counts measurements by phase
// and decides, purely, when the check has passed, failed, become inconclusive
// or errored out, and how long to wait before the next measurement.
#pragma once

#include <sluice/gate/measurement.hpp>

#include <string>

namespace sluice::gate {

enum class Verdict {
  running,       // more measurements needed
  successful,    // `count` measurements taken within every limit -> continue / promote
  failed,        // failures beyond failureLimit -> roll back (the version is bad)
  inconclusive,  // inconclusive beyond inconclusiveLimit -> pause (exit 4)
  error,         // consecutive errors beyond consecutiveErrorLimit -> roll back (the data source failed)
};

// "Running", "Successful", "Failed", "Inconclusive", "Error".
const char* to_string(Verdict verdict);

// Worse verdicts win when several checks are combined:
// failed > error > inconclusive > running > successful.
Verdict worst(Verdict a, Verdict b);

struct Limits {
  int count = 1;  // measurements (errors excluded) to take; 0 = until finish()
  int failure_limit = 0;
  int inconclusive_limit = 0;
  int consecutive_error_limit = 4;
  util::Duration interval{30000};
  util::Duration initial_delay{0};
  util::Duration error_retry{10000};  // after an Error, re-measure after min(interval, error_retry)

  static Limits from(const plan::Check& check);
};

struct Counts {
  int measured = 0;  // every measurement, errors included
  int successful = 0;
  int failed = 0;
  int inconclusive = 0;
  int error = 0;
  int consecutive_errors = 0;
};

class AnalysisRun {
 public:
  explicit AnalysisRun(Limits limits) : limits_(limits) {}

  // Counts one measurement. Ignored once the verdict is no longer running.
  void record(Phase phase);
  // Running until a limit is exceeded or `count` non-error measurements exist.
  Verdict verdict() const;
  // Stops a run (background checks at the end of a canary): Successful only if
  // it has at least one non-error measurement and its latest one was not an
  // Error — an outage at the end never promotes — otherwise Inconclusive.
  Verdict finish();
  // How long to wait before the next measurement: initialDelay before the
  // first, the interval after a result, min(interval, error_retry) after an Error.
  util::Duration next_delay() const;
  const Counts& counts() const { return counts_; }
  const Limits& limits() const { return limits_; }
  // Why the verdict is what it is: "2 failed measurements exceed failureLimit 1".
  std::string explain() const;

 private:
  Limits limits_;
  Counts counts_;
  Phase last_ = Phase::successful;
  bool finished_ = false;
};

}  // namespace sluice::gate
