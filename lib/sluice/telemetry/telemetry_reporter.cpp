#include <sluice/telemetry/telemetry_reporter.hpp>

#include <sluice/http/secret_registry.hpp>
#include <sluice/telemetry/export.hpp>

#include <ostream>

namespace sluice::telemetry {

TelemetryReporter::TelemetryReporter(report::Reporter& inner, http::Client& client, util::Clock& clock,
                                     std::ostream& warnings, TelemetryOptions options, std::string ns)
    : inner_(inner),
      client_(client),
      warnings_(warnings),
      options_(std::move(options)),
      metrics_(clock, std::move(ns)) {
  metrics_.count_api(options_.api);
}

void TelemetryReporter::lock_waited(util::Duration waited) {
  std::lock_guard lock(mutex_);
  metrics_.lock_waited(waited);
}

void TelemetryReporter::warn(const std::string& rollout, const std::string& text) {
  std::string line = http::redact_registered(text);
  warnings_ << "sluice: warning: " << line << "\n" << std::flush;
  inner_.emit(report::Event{report::EventType::info, rollout, 0, 0, "", line, {{"telemetry", "failed"}}});
}

void TelemetryReporter::export_metrics(const std::string& rollout) {
  std::string text = metrics_.render();
  if (!options_.metrics_file.empty()) {
    auto written = write_metrics_file(options_.metrics_file, text);
    if (!written) warn(rollout, "metrics not written: " + written.error().message);
  }
  if (!options_.pushgateway.empty()) {
    std::string url = pushgateway_group_url(options_.pushgateway, metrics_.rollout(), metrics_.ns());
    auto pushed = push_metrics(client_, url, text, options_.push_timeout);
    if (!pushed) warn(rollout, "metrics not pushed: " + pushed.error().message);
  }
}

void TelemetryReporter::emit(const report::Event& event) {
  std::lock_guard lock(mutex_);
  metrics_.observe(event);
  if (event.type == report::EventType::finished) export_metrics(event.rollout);
  inner_.emit(event);
}

}  // namespace sluice::telemetry
