// The rolling strategy: one Deployment, its template moved to the new digest
// with the plan's surge/unavailable limits, followed by watch until rolled
// out; checks measure the new version once it alone serves; rolled back to
// the recorded template. A pause mid-rollout holds the Deployment
// (spec.paused) so Kubernetes does not finish rolling an unverified version.
#include <sluice/engine/driver.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/engine/writes.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/strategy/capacity.hpp>
#include <sluice/util/exit_code.hpp>

namespace sluice::engine {

namespace {

using Json = nlohmann::json;

// Marks a Deployment sluice paused, so only sluice's own hold is released.
constexpr const char* k_held_annotation = "sluice.io/held-by";

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
  // Before the template moves, the current ReplicaSet is the old version's: {{stable_hash}}.
  if (auto hash = current_hash(d, dep)) rec.previous.pod_template_hash = *hash;
  rec.next.deployment = d.plan().target.deployment;
}

StepResult step_result(const util::Status& s) {
  if (s) return StepResult::next();
  if (s.error().kind == util::ErrorKind::cancelled) return {StepStatus::interrupted, s.error().message};
  return {StepStatus::needs_human, s.error().message};
}

bool held_by(const Json& dep, const std::string& rollout) {
  return dep.value("/spec/paused"_json_pointer, false) &&
         dep.value("/metadata/annotations"_json_pointer, Json::object()).value(k_held_annotation, "") ==
             rollout;
}

// Stops Kubernetes where the rollout stands: no further ReplicaSet scaling
// until `promote` (which releases it) or `abort` (which restores the template).
util::Status hold(Driver& d) {
  std::string rollout = d.plan().name;
  return update_deployment(d, d.plan().target.deployment, [&](Json& dep) {
    dep["spec"]["paused"] = true;
    dep["metadata"]["annotations"][k_held_annotation] = rollout;
  });
}

// Undoes hold() in `dep`.
void release_in(Json& dep) {
  dep["spec"].erase("paused");
  if (dep["metadata"].contains("annotations")) dep["metadata"]["annotations"].erase(k_held_annotation);
}

// A promote or re-apply continues a held rollout: Kubernetes takes over again.
util::Status release(Driver& d) {
  auto dep = watched_deployment(d, d.plan().target.deployment);
  if (!dep || !held_by(*dep, d.plan().name)) return {};
  return update_deployment(d, d.plan().target.deployment, [](Json& fresh) { release_in(fresh); });
}

// The rollout stopped before the new version was settled. When it is about
// to pause (automatic rollback off), the Deployment is held where it is.
StepResult stopped_rolling_out(Driver& d, const VersionWaitResult& end) {
  StepResult result = step_after(end);
  if (result.status != StepStatus::rollback || d.plan().rollback_automatic) return result;
  auto held = hold(d);
  if (!held) return step_result(held);
  result.message += "; Deployment " + d.plan().target.deployment + " held where it is (spec.paused)";
  return result;
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
  // A promote accepts the version as it is: the rollout finishes without the checks.
  bool accepted = d.record().full_promote || d.record().promote_requested;
  if (auto released = release(d); !released) return step_result(released);
  VersionWait w;
  w.deployment = d.plan().target.deployment;
  w.image = d.record().digest;
  w.deadline = d.deps().clock->now() + d.plan().progress_deadline;
  // Checks measure the new version alone: only once it is rolled out and the old pods are gone.
  auto settled = wait_for_settled(d, w);
  if (settled.end != WaitEnd::ready) return stopped_rolling_out(d, settled);
  learn_template_hashes(d);
  if (checks.empty() || accepted) return StepResult::next();
  if (d.deps().http == nullptr) return {StepStatus::needs_human, "no HTTP client for checks"};
  auto specs = gate::make_check_specs(d.plan(), checks, *d.deps().http, *d.deps().clock);
  if (!specs) return StepResult::rollback(specs.error().message);
  gate::AnalysisRunner runner(std::move(*specs), check_context(d, static_cast<int>(d.record().step_index)),
                              *d.deps().clock, record_measurements(d, "WaitRolledOut"));
  auto judged = wait_for_verdict(d, w, runner);
  d.save();  // the measurements, so `status` shows why
  // A failure now leaves the Deployment as it is: fully rolled out, nothing left to hold.
  if (judged.end == WaitEnd::inconclusive)
    return StepResult::inconclusive(judged.message + "; " + d.command("promote") + " continues");
  return step_after(judged);
}

Outcome rolling_roll_back(Driver& d, const std::string& why) {
  const Json& previous = d.record().previous.template_spec;
  if (!previous.is_object()) return {k_exit_needs_human, "", why + "; no previous template recorded"};
  auto status = update_deployment(d, d.plan().target.deployment, [&](Json& dep) {
    dep["spec"]["template"] = writable_template(previous);
    release_in(dep);  // a held (or paused) Deployment could not roll back
  });
  if (!status) {
    if (status.error().kind == util::ErrorKind::cancelled) return {k_exit_interrupted, "", why};
    return {k_exit_needs_human, "", why + "; rollback failed: " + status.error().message};
  }
  VersionWait w;
  w.deployment = d.plan().target.deployment;
  w.image = d.record().previous.image;
  w.deadline = d.deps().clock->now() + d.plan().progress_deadline;
  auto end = wait_for_version(d, w);
  if (end.end == WaitEnd::interrupted) return {k_exit_interrupted, "", why};
  if (end.end != WaitEnd::ready)
    return {k_exit_needs_human, "", why + "; the previous version did not come back: " + end.message};
  return {k_exit_rolled_back, "", why + "; rolled back to " + d.record().previous.image};
}

}  // namespace sluice::engine
