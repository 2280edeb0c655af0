#include <sluice/engine/driver.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/engine/writes.hpp>

#include <sluice/gate/runner.hpp>
#include <sluice/util/rfc3339.hpp>

#include <fmt/format.h>

namespace sluice::engine {

namespace {

std::string value_text(const gate::Measurement& m) {
  return m.value ? fmt::format("{:g}", *m.value) : std::string();
}

// The pod-template-hash of Deployment `name`'s ReplicaSet for the template
// running `image`; "" until its controller has made that ReplicaSet current.
std::string current_hash_running(Driver& d, const std::string& name, const std::string& image) {
  auto dep = watched_deployment(d, name);
  if (!dep) return "";
  // Before the controller observed the template, the revision still names the old ReplicaSet.
  auto generation = dep->value("/metadata/generation"_json_pointer, 0LL);
  if (dep->value("/status/observedGeneration"_json_pointer, 0LL) < generation) return "";
  if (container_image(*dep, d.target().container) != image) return "";
  if (auto from_pods = template_hash_of_pods(d, *dep, image)) return *from_pods;
  auto hash = current_hash(d, *dep);
  return hash ? *hash : "";
}

}  // namespace

void learn_both_template_hashes(Driver& d) {
  auto& rec = d.record();
  if (rec.next.pod_template_hash.empty() && !rec.next.deployment.empty())
    rec.next.pod_template_hash = current_hash_running(d, rec.next.deployment, rec.digest);
  // Rolling has one Deployment: its old hash was taken before the template moved.
  if (rec.previous.pod_template_hash.empty() && !rec.previous.deployment.empty() &&
      rec.previous.deployment != rec.next.deployment)
    rec.previous.pod_template_hash = current_hash_running(d, rec.previous.deployment, rec.previous.image);
}

void StrategyDriver::learn_template_hashes() {
  learn_both_template_hashes(d_);
}

StepResult StrategyDriver::run_checks(const strategy::StepSpec& step) {
  return run_named_checks(d_, step.checks, step.name);
}

StepResult after_verdict(gate::Verdict verdict, const std::string& message, const std::string& on_hold) {
  switch (verdict) {
    case gate::Verdict::successful: return StepResult::next(message);
    case gate::Verdict::inconclusive: return StepResult::inconclusive(message + "; " + on_hold);
    case gate::Verdict::running: return StepResult::interrupted("interrupted during checks");
    case gate::Verdict::failed:
    case gate::Verdict::error: break;
  }
  return StepResult::rollback(message);
}

gate::CheckContext check_context(Driver& d, int step) {
  d.strategy().learn_template_hashes();
  gate::CheckContext c;
  c.rollout = d.plan().name;
  c.ns = d.ns();
  c.service = d.plan().target.service;
  c.canary_hash = d.record().next.pod_template_hash;
  c.stable_hash = d.record().previous.pod_template_hash;
  c.digest = d.record().digest;
  c.strategy = plan::to_string(d.record().strategy);
  c.step = step;
  c.weight = d.record().traffic.weight;  // 0 but for a canary
  return c;
}

gate::MeasurementCallback record_measurements(Driver& d, const std::string& step_name) {
  return [&d, step_name](const std::string& check, const gate::Measurement& m, const gate::AnalysisRun& run) {
    state::Measurement rec{check,         step_name, gate::to_string(m.phase),
                           value_text(m), m.message, util::format_rfc3339(m.at)};
    state::add_measurement(d.record(), rec);
    report::Json data{{"check", check},
                      {"gate", step_name},
                      {"verdict", rec.verdict},
                      {"value", rec.value},
                      {"message", m.message}};
    // When the next measurement of this check is due: the terminal counts down to it.
    if (run.verdict() == gate::Verdict::running)
      data["nextInSeconds"] = std::chrono::duration_cast<std::chrono::seconds>(run.next_delay()).count();
    d.emit(report::EventType::check_measured, "", std::move(data));
  };
}

RunnerOrEnd analysis_runner(Driver& d, const std::vector<std::string>& checks, const std::string& step_name,
                            int step) {
  if (d.deps().http == nullptr) return StepResult::needs_human("no HTTP client for checks");
  auto specs = gate::make_check_specs(d.plan(), checks, *d.deps().http, *d.deps().clock);
  if (!specs) return StepResult::rollback(specs.error().message);
  return std::make_unique<gate::AnalysisRunner>(std::move(*specs), check_context(d, step), *d.deps().clock,
                                                record_measurements(d, step_name));
}

StepResult run_named_checks(Driver& d, const std::vector<std::string>& checks, const std::string& step_name) {
  if (checks.empty()) return StepResult::next();
  auto runner = analysis_runner(d, checks, step_name, static_cast<int>(d.record().step_index));
  if (auto* end = std::get_if<StepResult>(&runner)) return *end;
  auto& checking = *std::get<std::unique_ptr<gate::AnalysisRunner>>(runner);
  auto result = checking.run(&d.cancel());
  d.save();  // the measurements, so `status` shows why
  return after_verdict(result.verdict, result.message, d.command("promote") + " continues");
}

}  // namespace sluice::engine
