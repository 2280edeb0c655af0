#include <sluice/gate/runner.hpp>

#include <sluice/plan/model.hpp>

#include <algorithm>

namespace sluice::gate {

namespace {
// Background checks may measure for a long time; the full history is in the
// callback's hands, the result keeps the latest ones.
constexpr std::size_t k_kept_measurements = 100;
}  // namespace

struct AnalysisRunner::Entry {
  CheckSpec spec;
  AnalysisRun run;
  util::TimePoint due;
  std::vector<Measurement> measurements;
};

util::Result<std::vector<CheckSpec>> make_check_specs(const plan::Plan& plan,
                                                      const std::vector<std::string>& names,
                                                      http::Client& client, util::Clock& clock) {
  std::vector<CheckSpec> specs;
  for (const auto& name : names) {
    auto it = plan.checks.find(name);
    if (it == plan.checks.end()) {
      return util::make_error(util::ErrorKind::not_found, "unknown check '" + name + "'");
    }
    specs.push_back(CheckSpec{name, Limits::from(it->second), make_provider(it->second, client, clock)});
  }
  return specs;
}

AnalysisRunner::AnalysisRunner(std::vector<CheckSpec> checks, CheckContext context, util::Clock& clock,
                               MeasurementCallback on_measurement)
    : context_(std::move(context)), clock_(&clock), on_measurement_(std::move(on_measurement)) {
  for (auto& spec : checks) {
    AnalysisRun run(spec.limits);
    auto due = clock.now() + run.next_delay();
    entries_.push_back(std::make_shared<Entry>(Entry{std::move(spec), run, due, {}}));
  }
}

util::TimePoint AnalysisRunner::next_due() const {
  std::optional<util::TimePoint> next;
  for (const auto& e : entries_) {
    if (e->run.verdict() == Verdict::running && (!next || e->due < *next)) next = e->due;
  }
  return next.value_or(util::TimePoint::max());
}

namespace {
Verdict combine(const std::vector<std::shared_ptr<AnalysisRunner::Entry>>& entries);
}

Verdict AnalysisRunner::poll(const util::CancelToken* cancel) {
  for (auto& e : entries_) {
    if (cancel != nullptr && cancel->cancelled()) break;
    if (e->run.verdict() != Verdict::running || e->due > clock_->now()) continue;
    Measurement m = e->spec.provider->measure(context_, cancel);
    // A measurement cut short by cancellation says nothing about the version or the source.
    if (cancel != nullptr && cancel->cancelled()) break;
    e->run.record(m.phase);
    e->due = clock_->now() + e->run.next_delay();
    if (on_measurement_) on_measurement_(e->spec.name, m, e->run);
    e->measurements.push_back(std::move(m));
    if (e->measurements.size() > k_kept_measurements) e->measurements.erase(e->measurements.begin());
    Verdict v = e->run.verdict();
    // One bad check decides the analysis: the others stop measuring.
    if (v == Verdict::failed || v == Verdict::error || v == Verdict::inconclusive) break;
  }
  return combine(entries_);
}

AnalysisResult AnalysisRunner::run(const util::CancelToken* cancel) {
  while (cancel == nullptr || !cancel->cancelled()) {
    Verdict v = poll(cancel);
    if (v != Verdict::running) return result();
    auto wait = std::chrono::duration_cast<util::Duration>(next_due() - clock_->now());
    if (wait.count() > 0 && !clock_->sleep_for(wait, cancel)) break;
  }
  AnalysisResult cancelled = result();
  cancelled.verdict = Verdict::running;
  cancelled.message = "analysis cancelled";
  return cancelled;
}

AnalysisResult AnalysisRunner::finish() {
  for (auto& e : entries_) {
    if (e->run.verdict() == Verdict::running) e->run.finish();
  }
  return result();
}

namespace {

Verdict combine(const std::vector<std::shared_ptr<AnalysisRunner::Entry>>& entries) {
  Verdict combined = Verdict::successful;
  for (const auto& e : entries) combined = worst(combined, e->run.verdict());
  return combined;
}

CheckResult check_result(const AnalysisRunner::Entry& e) {
  CheckResult r{e.spec.name, e.run.verdict(), e.run.counts(), e.run.explain(), e.measurements};
  if (!e.measurements.empty()) r.message += ": " + e.measurements.back().message;
  return r;
}

}  // namespace

AnalysisResult AnalysisRunner::result() const {
  AnalysisResult out;
  out.verdict = combine(entries_);
  for (const auto& e : entries_) out.checks.push_back(check_result(*e));
  auto decisive = std::find_if(out.checks.begin(), out.checks.end(),
                               [&](const CheckResult& c) { return c.verdict == out.verdict; });
  if (out.checks.empty()) {
    out.message = "no checks to run";
  } else if (out.verdict == Verdict::successful) {
    out.message = std::to_string(out.checks.size()) + " check(s) successful";
  } else if (decisive != out.checks.end()) {
    out.message = "check '" + decisive->name + "': " + decisive->message;
  }
  return out;
}

AnalysisResult run_checks(std::vector<CheckSpec> checks, const CheckContext& context, util::Clock& clock,
                          const util::CancelToken* cancel, MeasurementCallback on_measurement) {
  AnalysisRunner runner(std::move(checks), context, clock, std::move(on_measurement));
  return runner.run(cancel);
}

}  // namespace sluice::gate
