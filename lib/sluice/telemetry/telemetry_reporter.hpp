// Telemetry as an observer of the rollout's events: a Reporter that passes
// every event on and, on `finished`, writes --metrics-file and pushes to
// --pushgateway. A failure there is one warning line and one `info` event
// (before `finished`, which stays last); it never changes the exit code.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/report/events.hpp>
#include <sluice/telemetry/rollout_metrics.hpp>

#include <iosfwd>
#include <mutex>
#include <string>

namespace sluice::telemetry {

struct TelemetryOptions {
  std::string metrics_file;  // "" : none
  std::string pushgateway;   // base URL; "" : none
  util::Duration push_timeout{3000};
  const ApiCounts* api = nullptr;  // the run's Kubernetes API requests (outlives the reporter); null: none
};

class TelemetryReporter final : public report::Reporter {
 public:
  TelemetryReporter(report::Reporter& inner, http::Client& client, util::Clock& clock, std::ostream& warnings,
                    TelemetryOptions options, std::string ns);
  void emit(const report::Event& event) override;
  // engine::Deps::lock_waited: how long taking the lock took.
  void lock_waited(util::Duration waited);

 private:
  void export_metrics(const std::string& rollout);
  void warn(const std::string& rollout, const std::string& text);

  report::Reporter& inner_;
  http::Client& client_;
  std::ostream& warnings_;
  TelemetryOptions options_;
  RolloutMetrics metrics_;
  std::mutex mutex_;
};

}  // namespace sluice::telemetry
