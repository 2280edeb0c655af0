// The rolling strategy: one Deployment, its template moved to the new digest
// with the plan's surge/unavailable limits, followed by watch until rolled
// out, checks measured alongside; rolled back to the recorded template.
#include <sluice/engine/driver.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/engine/writes.hpp>

#include <sluice/cli/app.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/strategy/capacity.hpp>

namespace sluice::engine {

namespace {

using Json = nlohmann::json;

const plan::RollingStrategy& rolling(const Driver& d) {
  return std::get<plan::RollingStrategy>(d.plan().strategy);
}

void remember_previous(Driver& d) {
  auto& rec = d.record();
  if (!rec.previous.image.empty()) return;  // resumed: keep what the first run saw
  const Json& dep = d.target().deployment;
  rec.previous.deployment = d.plan().target.deployment;
  rec.previous.image = container_image(dep, d.target().container);
  rec.previous.revision = current_revision(dep);
  rec.previous.template_spec = dep.at("spec").at("template");
  rec.next.deployment = d.plan().target.deployment;
}

StepResult step_result(const util::Status& s) {
  if (s) return StepResult::next();
  if (s.error().kind == util::ErrorKind::cancelled) return {StepStatus::interrupted, s.error().message};
  return {StepStatus::needs_human, s.error().message};
}

}  // namespace

StepResult rolling_update_template(Driver& d) {
  remember_previous(d);
  if (!d.save()) return {StepStatus::needs_human, "could not write the rollout record"};
  auto params = strategy::rolling_parameters(d.target().desired, rolling(d).max_surge,
                                             rolling(d).max_unavailable, d.plan().min_available);
  std::size_t index = d.target().container;
  std::string image = d.record().digest;
  int deadline_s = static_cast<int>(d.plan().progress_deadline.count() / 1000);
  Json written_template;
  auto status = update_deployment(d, d.plan().target.deployment, [&](Json& dep) {
    dep["spec"]["template"]["spec"]["containers"][index]["image"] = image;
    written_template = dep["spec"]["template"];
    dep["spec"]["strategy"] = {
        {"type", "RollingUpdate"},
        {"rollingUpdate", {{"maxSurge", params.max_surge}, {"maxUnavailable", params.max_unavailable}}}};
    dep["spec"]["progressDeadlineSeconds"] = std::max(1, deadline_s);
  });
  // What this rollout leaves serving, for a later `rollback --to-revision`.
  d.record().next.image = image;
  d.record().next.template_spec = written_template;
  return step_result(status);
}

StepResult rolling_wait_rolled_out(Driver& d, const std::vector<std::string>& checks) {
  std::unique_ptr<gate::AnalysisRunner> runner;
  if (!checks.empty() && !d.record().full_promote) {
    if (d.deps().http == nullptr) return {StepStatus::needs_human, "no HTTP client for checks"};
    auto specs = gate::make_check_specs(d.plan(), checks, *d.deps().http, *d.deps().clock);
    if (!specs) return StepResult::rollback(specs.error().message);
    runner = std::make_unique<gate::AnalysisRunner>(std::move(*specs), check_context(d, 1), *d.deps().clock,
                                                    record_measurements(d, "WaitRolledOut"));
  }
  VersionWait w;
  w.deployment = d.plan().target.deployment;
  w.image = d.record().digest;
  w.deadline = d.deps().clock->now() + d.plan().progress_deadline;
  w.checks = runner.get();
  auto end = wait_for_version(d, w);
  if (runner) d.save();
  return step_after(end);
}

Outcome rolling_roll_back(Driver& d, const std::string& why) {
  const Json& previous = d.record().previous.template_spec;
  if (!previous.is_object()) return {cli::k_exit_needs_human, "", why + "; no previous template recorded"};
  auto status = update_deployment(d, d.plan().target.deployment,
                                  [&](Json& dep) { dep["spec"]["template"] = writable_template(previous); });
  if (!status) {
    if (status.error().kind == util::ErrorKind::cancelled) return {cli::k_exit_interrupted, "", why};
    return {cli::k_exit_needs_human, "", why + "; rollback failed: " + status.error().message};
  }
  VersionWait w;
  w.deployment = d.plan().target.deployment;
  w.image = d.record().previous.image;
  w.deadline = d.deps().clock->now() + d.plan().progress_deadline;
  auto end = wait_for_version(d, w);
  if (end.end == WaitEnd::interrupted) return {cli::k_exit_interrupted, "", why};
  if (end.end != WaitEnd::ready)
    return {cli::k_exit_needs_human, "", why + "; the previous version did not come back: " + end.message};
  return {cli::k_exit_rolled_back, "", why + "; rolled back to " + d.record().previous.image};
}

}  // namespace sluice::engine
