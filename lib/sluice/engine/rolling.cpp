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

// What this rollout leaves serving (for `status` and a later `rollback
// --to-revision`): the template the step writes, known before it writes it.
void remember_next(Driver& d) {
  Json next_template = d.target().deployment.value("/spec/template"_json_pointer, Json::object());
  auto& containers = next_template["spec"]["containers"];
  if (containers.is_array() && d.target().container < containers.size())
    containers[d.target().container]["image"] = d.record().digest;
  d.record().next.image = d.record().digest;
  d.record().next.template_spec = next_template;
}

// What served before and what will serve, saved before the template moves.
void remember_versions(Driver& d) {
  remember_next(d);
  auto& rec = d.record();
  if (!rec.previous.image.empty()) return;  // resumed: keep what the first run saw
  // Before the template moves, the current ReplicaSet is the old version's: {{stable_hash}}.
  rec.previous = serving_version(d, d.target().deployment);
  rec.previous.deployment = d.plan().target.deployment;
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
  return d.writes().update_deployment(d.plan().target.deployment, [&](Json& dep) {
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
  return d.writes().update_deployment(d.plan().target.deployment, [](Json& fresh) { release_in(fresh); });
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

// The record already holds what served before (Rolling::prepare, saved with the step's start).
StepResult update_template(Driver& d) {
  auto params = strategy::rolling_parameters(d.target().desired, rolling(d).max_surge,
                                             rolling(d).max_unavailable, d.plan().min_available);
  std::size_t index = d.target().container;
  std::string image = d.record().digest;
  Json written_template;
  auto status = d.writes().update_deployment(d.plan().target.deployment, [&](Json& dep) {
    roll_template_to(dep, index, image, params, d.plan().progress_deadline);
    written_template = dep["spec"]["template"];
  });
  // What this rollout leaves serving, for a later `rollback --to-revision`.
  d.record().next.image = image;
  d.record().next.template_spec = written_template;
  return step_result(status);
}

StepResult wait_rolled_out(Driver& d, const std::vector<std::string>& checks) {
  // A promote accepts the version as it is: the rollout finishes without the checks.
  bool accepted = d.record().full_promote || d.record().promote_requested;
  if (auto released = release(d); !released) return step_result(released);
  VersionWait w = version_wait(d, d.plan().target.deployment, d.record().digest);
  // Checks measure the new version alone: only once it is rolled out and the
  // old pods are gone, terminating ones included. With no checks to follow
  // nothing measures it: done when complete by `kubectl rollout status` rules.
  bool measured = !checks.empty() && !accepted;
  auto rolled_out = measured ? wait_for_settled(d, w) : wait_for_version(d, w);
  if (rolled_out.end != WaitEnd::ready) return stopped_rolling_out(d, rolled_out);
  learn_both_template_hashes(d);
  if (!measured) return StepResult::next();
  auto runner = analysis_runner(d, checks, "RollOut", static_cast<int>(d.record().step_index));
  if (auto* end = std::get_if<StepResult>(&runner)) return *end;
  auto judged = wait_for_verdict(d, w, *std::get<std::unique_ptr<gate::AnalysisRunner>>(runner));
  d.save();  // the measurements, so `status` shows why
  // A failure now leaves the Deployment as it is: fully rolled out, nothing left to hold.
  if (judged.end == WaitEnd::inconclusive)
    return StepResult::inconclusive(judged.message + "; " + d.command("promote") + " continues");
  return step_after(judged);
}

// The template update and the wait, one step: recorded once before it
// starts; a resumed run writes the same template again (nothing new for
// Kubernetes to roll) and waits from where the Deployment stands.
StepResult roll_out(Driver& d, const std::vector<std::string>& checks) {
  StepResult updated = update_template(d);
  if (updated.status != StepStatus::next) return updated;
  return wait_rolled_out(d, checks);
}

util::Result<std::string> roll_back(Driver& d) {
  const Json& previous = d.record().previous.template_spec;
  if (!previous.is_object())
    return util::make_error(util::ErrorKind::invalid, "no previous template recorded");
  auto status = d.writes().update_deployment(d.plan().target.deployment, [&](Json& dep) {
    dep["spec"]["template"] = writable_template(previous);
    release_in(dep);  // a held (or paused) Deployment could not roll back
  });
  if (!status) return status.error().with_context("rollback failed");
  auto back = wait_back(d, version_wait(d, d.plan().target.deployment, d.record().previous.image));
  if (!back) return back.error().with_context("the previous version did not come back");
  return "rolled back to " + d.record().previous.image;
}

class Rolling final : public StrategyDriver {
 public:
  explicit Rolling(Driver& d) : StrategyDriver(d) {}
  StepResult execute(const strategy::StepSpec& step) override {
    if (step.kind == strategy::StepKind::roll_out) return roll_out(d_, step.checks);
    return StepResult::needs_human("rolling has no step " + step.name);
  }
  // Saved with the step's start, before the template moves.
  void prepare(const strategy::StepSpec& step) override {
    if (step.kind == strategy::StepKind::roll_out) remember_versions(d_);
  }
  util::Result<std::string> roll_back() override { return engine::roll_back(d_); }
};

}  // namespace

std::unique_ptr<StrategyDriver> make_rolling(Driver& d) {
  return std::make_unique<Rolling>(d);
}

}  // namespace sluice::engine
