#include <sluice/engine/driver.hpp>

#include <sluice/gate/runner.hpp>
#include <sluice/util/rfc3339.hpp>

#include <fmt/format.h>

namespace sluice::engine {

namespace {

std::string value_text(const gate::Measurement& m) {
  return m.value ? fmt::format("{:g}", *m.value) : std::string();
}

}  // namespace

gate::CheckContext check_context(Driver& d, int step) {
  gate::CheckContext c;
  c.rollout = d.plan().name;
  c.ns = d.ns();
  c.service = d.plan().target.service;
  c.canary_hash = d.record().next.pod_template_hash;
  c.stable_hash = d.record().previous.pod_template_hash;
  c.digest = d.record().digest;
  c.strategy = d.record().strategy;
  c.step = step;
  if (d.record().strategy == "canary") c.weight = d.record().traffic.value("weight", 0);
  return c;
}

gate::MeasurementCallback record_measurements(Driver& d, const std::string& step_name) {
  return [&d, step_name](const std::string& check, const gate::Measurement& m, const gate::AnalysisRun&) {
    state::Measurement rec{check,         step_name, gate::to_string(m.phase),
                           value_text(m), m.message, util::format_rfc3339(m.at)};
    state::add_measurement(d.record(), rec);
    d.emit(report::EventType::check_measured, "",
           {{"check", check},
            {"gate", step_name},
            {"verdict", rec.verdict},
            {"value", rec.value},
            {"message", m.message}});
  };
}

StepResult run_named_checks(Driver& d, const std::vector<std::string>& checks, const std::string& step_name) {
  if (checks.empty()) return StepResult::next();
  if (d.deps().http == nullptr) return {StepStatus::needs_human, "no HTTP client for checks"};
  auto specs = gate::make_check_specs(d.plan(), checks, *d.deps().http, *d.deps().clock);
  if (!specs) return StepResult::rollback(specs.error().message);
  auto result = gate::run_checks(std::move(*specs), check_context(d, static_cast<int>(d.record().step_index)),
                                 *d.deps().clock, &d.cancel(), record_measurements(d, step_name));
  d.save();  // the measurements, so `status` shows why
  switch (result.verdict) {
    case gate::Verdict::successful: return {StepStatus::next, result.message};
    case gate::Verdict::inconclusive:
      return StepResult::inconclusive(result.message + "; " + d.command("promote") + " continues");
    case gate::Verdict::running: return {StepStatus::interrupted, "interrupted during checks"};
    default: return StepResult::rollback(result.message);
  }
}

}  // namespace sluice::engine
