#include <sluice/telemetry/rollout_metrics.hpp>

#include <fmt/format.h>

namespace sluice::telemetry {

using report::EventType;

namespace {

double seconds_between(util::TimePoint from, util::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

double seconds_of(util::Duration d) {
  return std::chrono::duration<double>(d).count();
}

// A label value as the text format quotes it: backslash, quote and newline escaped.
std::string label_value(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

bool is_analysis(const std::string& step) {
  return step.rfind("Analysis(", 0) == 0 || step.rfind("RunChecks(", 0) == 0;
}

void api_family(std::string& out, const char* name, const char* help, const std::string& id,
                const ApiCallCounts& counts) {
  family(out, name, "counter", help);
  for (const auto& [key, count] : counts) {
    out += fmt::format("{}{{{},verb=\"{}\",code=\"{}\"}} {}\n", name, id, label_value(key.first),
                       label_value(key.second), count);
  }
}

}  // namespace

void RolloutMetrics::lock_waited(util::Duration waited) {
  lock_wait_ = lock_wait_.value_or(util::Duration{0}) + waited;
}

RolloutMetrics::RolloutMetrics(util::Clock& clock, std::string ns)
    : clock_(clock), ns_(std::move(ns)), run_start_(clock.now()) {}

void RolloutMetrics::observe(const report::Event& event) {
  if (!event.rollout.empty()) rollout_ = event.rollout;
  auto now = clock_.now();
  switch (event.type) {
    case EventType::rollout_started:
      rollout_start_ = now;
      strategy_ = event.data.value("strategy", strategy_);
      break;
    case EventType::step_started: step_started_[event.step_name] = now; break;
    case EventType::step_finished:
      if (auto it = step_started_.find(event.step_name); it != step_started_.end())
        step_seconds_[event.step_name] = seconds_between(it->second, now);
      break;
    case EventType::check_measured:
      ++measurements_[{event.data.value("check", ""), event.data.value("verdict", "")}];
      break;
    case EventType::finished:
      outcome_ = event.data.value("outcome", "Unknown");
      exit_code_ = event.data.value("exitCode", 0);
      duration_seconds_ = seconds_between(rollout_start_.value_or(run_start_), now);
      finished_at_ = std::chrono::duration<double>(clock_.wall_now().time_since_epoch()).count();
      break;
    default: break;
  }
}

std::string RolloutMetrics::render() const {
  std::string out;
  std::string id = fmt::format("rollout=\"{}\",namespace=\"{}\"", label_value(rollout_), label_value(ns_));
  family(out, "sluice_rollout_duration_seconds", "gauge",
         "How long the last run took, from the lock taken to the outcome (from the start when it never got "
         "there).");
  out += fmt::format("sluice_rollout_duration_seconds{{{},strategy=\"{}\"}} {:.3f}\n", id, strategy_,
                     duration_seconds_.value_or(seconds_between(run_start_, clock_.now())));
  family(out, "sluice_rollouts_total", "counter", "Runs by strategy and outcome (this run: 1).");
  out += fmt::format("sluice_rollouts_total{{{},strategy=\"{}\",outcome=\"{}\"}} 1\n", id, strategy_,
                     outcome_.value_or("Unknown"));
  family(out, "sluice_rollout_exit_code", "gauge", "The exit code of the last run (docs/exit-codes.md).");
  out += fmt::format("sluice_rollout_exit_code{{{}}} {}\n", id, exit_code_);
  family(out, "sluice_rollout_finished_timestamp_seconds", "gauge", "When the last run ended (unix time).");
  out += fmt::format("sluice_rollout_finished_timestamp_seconds{{{}}} {:.3f}\n", id, finished_at_);
  family(out, "sluice_step_duration_seconds", "gauge", "How long each step of the last run took.");
  for (const auto& [step, seconds] : step_seconds_) {
    out += fmt::format("sluice_step_duration_seconds{{{},step=\"{}\"}} {:.3f}\n", id, label_value(step),
                       seconds);
  }
  family(out, "sluice_analysis_duration_seconds", "gauge", "How long each checks step of the last run took.");
  for (const auto& [step, seconds] : step_seconds_) {
    if (is_analysis(step)) {
      out += fmt::format("sluice_analysis_duration_seconds{{{},step=\"{}\"}} {:.3f}\n", id, label_value(step),
                         seconds);
    }
  }
  family(out, "sluice_check_measurements_total", "counter", "Check measurements of the last run by verdict.");
  for (const auto& [key, count] : measurements_) {
    out += fmt::format("sluice_check_measurements_total{{{},check=\"{}\",verdict=\"{}\"}} {}\n", id,
                       label_value(key.first), label_value(key.second), count);
  }
  render_waits_and_calls(out, id);
  return out;
}

void RolloutMetrics::render_waits_and_calls(std::string& out, const std::string& id) const {
  family(out, "sluice_lock_wait_seconds", "gauge",
         "How long the last run took to take the rollout's lock, or to learn that another run holds it.");
  if (lock_wait_) out += fmt::format("sluice_lock_wait_seconds{{{}}} {:.3f}\n", id, seconds_of(*lock_wait_));
  if (api_ == nullptr) return;
  api_family(
      out, "sluice_api_requests_total",
      "Kubernetes API requests of the last run by verb and code (<error>: no answer), retries included.", id,
      api_->requests());
  api_family(out, "sluice_api_retries_total",
             "Kubernetes API requests of the last run sent again, by verb and the code that caused it.", id,
             api_->retries());
}

}  // namespace sluice::telemetry
