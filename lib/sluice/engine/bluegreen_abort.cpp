// Blue-green abort, Service first: `sluice abort` of a paused blue-green
// rollout moves the live Service back to the version that served before as
// its very first write, before the lock and the record. The write carries
// the abort itself (the `sluice.io/aborted` annotation naming the rollout),
// so a run killed right after it leaves a cluster that every later command
// reads as "being aborted": apply and promote finish the abort instead of
// going on, and `status` says so.
#include <sluice/engine/driver.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/preflight.hpp>
#include <sluice/engine/run_support.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/state/guarded_write.hpp>

#include <algorithm>
#include <optional>

namespace sluice::engine {

namespace {

std::string abort_mark(const state::Record& r) {
  return r.name + "/" + std::to_string(r.rollout_id);
}

// The version the Service returns to serves alone only if it already runs
// enough available pods for the larger of the two versions: otherwise it
// must be scaled up and waited for, which is the locked rollback's job.
bool can_serve_alone(const plan::Plan& plan, const state::Record& rec, Deps& deps) {
  auto back = deps.kube->get(kube::k_deployments, rec.ns, rec.previous.deployment);
  if (!back) return false;
  auto counts = ready_counts(*back);
  int size = std::max(1, counts.desired);
  if (auto next = deps.kube->get(kube::k_deployments, rec.ns, rec.next.deployment))
    size = std::max(size, ready_counts(*next).desired);
  return counts.desired >= size && counts.available >= plan_floor(plan, size);
}

// Writes the previous selector and the abort mark into the live Service as
// `read`, against its resourceVersion (a 409 reads it again).
util::Status write_switch_back(Json read, const state::Record& rec, Deps& deps) {
  std::optional<Json> known = std::move(read);
  std::string service = known->value("/metadata/name"_json_pointer, std::string());
  return state::retry_guarded_write(
      [&]() -> util::Status {
        auto svc = known ? util::Result<Json>(*known) : deps.kube->get(kube::k_services, rec.ns, service);
        known.reset();
        if (!svc) return svc.error();
        (*svc)["spec"]["selector"] = rec.previous.service_selector;
        (*svc)["metadata"]["annotations"][k_aborted_annotation] = abort_mark(rec);
        auto written = deps.kube->update(kube::k_services, rec.ns, *svc);
        if (!written) return written.error();
        return {};
      },
      *deps.clock, &deps.interrupt->token());
}

}  // namespace

bool marked_aborted(const Json& service, const state::Record& rec) {
  const auto mark =
      service.value("/metadata/annotations"_json_pointer, Json::object()).value(k_aborted_annotation, "");
  return !rec.name.empty() && mark == abort_mark(rec);
}

util::Result<bool> switch_back_first(const state::Record& rec, Deps& deps) {
  // Before the preview exists nothing was changed: the locked path has nothing to undo either.
  if (rec.previous.deployment.empty() || !rec.previous.service_selector.is_object()) return false;
  auto plan = recorded_plan(rec);
  if (!plan) return plan.error();
  const std::string& service = plan->target.service;
  auto svc = deps.kube->get(kube::k_services, rec.ns, service);
  if (!svc) return svc.error();
  bool selects_previous = svc->value("/spec/selector"_json_pointer, Json()) == rec.previous.service_selector;
  if (!selects_previous && !can_serve_alone(*plan, rec, deps)) return false;
  if (auto s = write_switch_back(*svc, rec, deps); !s) return s.error();
  return true;
}

bool aborted_on_service(kube::Client& kube, const state::Record& rec) {
  auto plan = recorded_plan(rec);
  if (!plan) return false;
  auto svc = kube.get(kube::k_services, rec.ns, plan->target.service);
  return svc && marked_aborted(*svc, rec);
}

}  // namespace sluice::engine
