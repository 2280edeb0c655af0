// sluice's own metrics for one run (docs/telemetry.md), learnt from the
// rollout's events as an observer: how long the rollout and each step took,
// its outcome, each check's verdicts. Rendered in the Prometheus text format
// that node_exporter's textfile collector and the Pushgateway read.
#pragma once

#include <sluice/report/events.hpp>
#include <sluice/telemetry/api_counts.hpp>
#include <sluice/util/clock.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace sluice::telemetry {

class RolloutMetrics {
 public:
  // `started` is when the run began (before preflight and the lock).
  RolloutMetrics(util::Clock& clock, std::string ns);

  void observe(const report::Event& event);
  // How long taking the rollout's lock took (or learning it was held); a run
  // that takes it more than once adds up its waits.
  void lock_waited(util::Duration waited);
  // The Kubernetes API requests to render with the metrics (not owned: it
  // outlives this object); none rendered when never given.
  void count_api(const ApiCounts* counts) { api_ = counts; }
  bool finished() const { return outcome_.has_value(); }
  const std::string& rollout() const { return rollout_; }
  const std::string& ns() const { return ns_; }

  // The metrics text: # HELP / # TYPE lines, then samples, in a stable order.
  std::string render() const;

 private:
  void render_waits_and_calls(std::string& out, const std::string& id) const;
  util::Clock& clock_;
  std::string ns_;
  std::string rollout_;
  std::string strategy_ = "unknown";
  util::TimePoint run_start_;
  std::optional<util::TimePoint> rollout_start_;  // rollout_started: preflight and the lock done
  std::optional<double> duration_seconds_;
  std::optional<std::string> outcome_;
  int exit_code_ = 0;
  double finished_at_ = 0;  // unix seconds
  std::map<std::string, util::TimePoint> step_started_;
  std::map<std::string, double> step_seconds_;                       // by step name (the last run of it)
  std::map<std::pair<std::string, std::string>, int> measurements_;  // (check, verdict) -> count
  std::optional<util::Duration> lock_wait_;
  const ApiCounts* api_ = nullptr;
};

}  // namespace sluice::telemetry
