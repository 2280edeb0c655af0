// The blue-green strategy: the new version runs in its own Deployment
// `<deployment>-<version>` beside the live one, the preview Service points at
// it, and once it is fully available (and its checks pass) the live Service
// selector moves to it in one write. The old version stays scaled so a
// rollback is one Service write.
#include <sluice/engine/driver.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/engine/writes.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/strategy/capacity.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

namespace sluice::engine {

namespace {

using Json = nlohmann::json;

const plan::BlueGreenStrategy& bluegreen(const Driver& d) {
  return std::get<plan::BlueGreenStrategy>(d.plan().strategy);
}

std::string preview_service_name(const Driver& d) {
  const auto& s = bluegreen(d).preview_service;
  return s.empty() ? d.plan().target.service + "-preview" : s;
}

// The Deployment the live Service selects now, from its selector.
std::string live_deployment(const Driver& d, const Json& selector) {
  if (selector.contains(k_version_label))
    return preview_name(d.plan().target.deployment, selector[k_version_label].get<std::string>());
  return d.plan().target.deployment;
}

}  // namespace

StepResult bluegreen_create_preview(Driver& d) {
  auto& rec = d.record();
  Json selector = d.target().service.value("/spec/selector"_json_pointer, Json::object());
  if (rec.previous.deployment.empty()) {
    rec.previous.deployment = live_deployment(d, selector);
    auto live = d.deps().kube->get(kube::k_deployments, d.ns(), rec.previous.deployment);
    if (!live) return failed_write(live.error(), "reading the live deployment " + rec.previous.deployment);
    auto pinned = pinned_selector(d, *live, selector);
    if (!pinned) return failed_write(pinned.error(), "pinning the live service to the live version");
    rec.previous.image = container_image(*live, d.target().container);
    rec.previous.revision = current_revision(*live);
    rec.previous.service_selector = *pinned;
    rec.previous.template_spec = live->at("spec").at("template");
    d.target().deployment = *live;
    std::string version = version_id(rec.digest);
    rec.next.deployment = preview_name(d.plan().target.deployment, version);
    rec.next.image = rec.digest;
    rec.next.service_selector = selector_with(base_selector(selector), k_version_label, version);
    if (!d.save()) return {StepStatus::needs_human, "could not write the rollout record"};
  }
  if (auto pinned = set_selector(d, d.plan().target.service, rec.previous.service_selector); !pinned)
    return failed_write(pinned.error(), "pinning the live service");
  auto live = d.deps().kube->get(kube::k_deployments, d.ns(), rec.previous.deployment);
  if (!live) return failed_write(live.error(), "reading the live deployment");
  int replicas = strategy::bluegreen_preview_replicas(ready_counts(*live).desired);
  Json body = make_preview_deployment(*live, rec.next.deployment, d.plan().name,
                                      rec.next.service_selector[k_version_label].get<std::string>(),
                                      d.target().container, rec.digest, replicas);
  if (auto made = create_or_adopt(d, body); !made)
    return failed_write(made.error(), "creating " + rec.next.deployment);
  return {StepStatus::next, rec.next.deployment + " with " + std::to_string(replicas) + " replicas"};
}

StepResult bluegreen_point_preview_service(Driver& d) {
  std::string name = preview_service_name(d);
  if (auto s = ensure_service(d, name, d.record().next.service_selector); !s)
    return failed_write(s.error(), "pointing " + name);
  return StepResult::next();
}

StepResult bluegreen_wait_preview_ready(Driver& d) {
  VersionWait w;
  w.deployment = d.record().next.deployment;
  w.image = d.record().digest;
  w.deadline = d.deps().clock->now() + d.plan().progress_deadline;
  w.also_report = {d.record().previous.deployment};
  return step_after(wait_for_version(d, w));
}

StepResult bluegreen_switch_service(Driver& d) {
  auto& rec = d.record();
  auto fresh = d.deps().kube->get(kube::k_deployments, d.ns(), rec.next.deployment);
  if (!fresh) return failed_write(fresh.error(), "reading " + rec.next.deployment);
  auto counts = ready_counts(*fresh);
  int floor = plan_floor(d.plan(), counts.desired);
  if (!strategy::may_scale_down_old(counts.available, floor))
    return StepResult::rollback(rec.next.deployment + " has " + std::to_string(counts.available) +
                                " available pods, below the floor of " + std::to_string(floor));
  if (auto s = set_selector(d, d.plan().target.service, rec.next.service_selector); !s)
    return failed_write(s.error(), "switching the live service");
  if (rec.switched_at.empty()) rec.switched_at = util::format_rfc3339(d.deps().clock->wall_now());
  return {StepStatus::next, d.plan().target.service + " now selects " + rec.next.deployment};
}

StepResult bluegreen_scale_down_old(Driver& d) {
  // A delay keeps the old version warm after this run ends, so `sluice
  // rollback` is one Service write; the next apply retires it.
  if (bluegreen(d).scale_down_delay.count() > 0)
    return {StepStatus::next, d.record().previous.deployment + " kept warm for rollback"};
  if (d.record().previous.deployment == d.record().next.deployment) return StepResult::next();
  if (auto s = scale(d, d.record().previous.deployment, 0); !s)
    return failed_write(s.error(), "scaling down " + d.record().previous.deployment);
  return {StepStatus::next, d.record().previous.deployment + " scaled to 0"};
}

namespace {

// Replicas the version we return to must run: as many as the larger of the
// two versions wants now, so a rollback never shrinks what serves.
int serving_size(Driver& d, const Json& back) {
  int size = std::max({1, d.target().desired, ready_counts(back).desired});
  const auto& next = d.record().next.deployment;
  if (!next.empty() && next != d.record().previous.deployment)
    if (auto cur = d.deps().kube->get(kube::k_deployments, d.ns(), next))
      size = std::max(size, ready_counts(*cur).desired);
  return size;
}

bool service_selects(Driver& d, const Json& selector) {
  auto svc = d.deps().kube->get(kube::k_services, d.ns(), d.plan().target.service);
  return svc && svc->value("/spec/selector"_json_pointer, Json()) == selector;
}

// Brings the version we return to up to `size` and waits until it alone
// meets the floor: only then may the Service move to it.
Outcome make_ready_to_serve(Driver& d, const Json& back, int size, const std::string& why) {
  const auto& prev = d.record().previous;
  if (ready_counts(back).desired < size) {
    if (auto s = scale(d, prev.deployment, size); !s)
      return {k_exit_needs_human, "", why + "; scaling up " + prev.deployment + ": " + s.error().message};
  }
  VersionWait w;
  w.deployment = prev.deployment;
  w.image = prev.image;
  w.deadline = d.deps().clock->now() + d.plan().progress_deadline;
  w.min_available = plan_floor(d.plan(), size);
  auto end = wait_for_version(d, w);
  if (end.end == WaitEnd::interrupted) return {k_exit_interrupted, "", why};
  if (end.end != WaitEnd::ready) return {k_exit_needs_human, "", why + "; " + end.message};
  return {k_exit_ok, "", ""};
}

}  // namespace

Outcome bluegreen_roll_back(Driver& d, const std::string& why) {
  auto& rec = d.record();
  if (rec.previous.deployment.empty()) return {k_exit_rolled_back, "", why + "; nothing had changed"};
  auto back = d.deps().kube->get(kube::k_deployments, d.ns(), rec.previous.deployment);
  if (!back) return {k_exit_needs_human, "", why + "; cannot read " + rec.previous.deployment};
  // Already serving (paused before the switch): nothing to wait for.
  if (!service_selects(d, rec.previous.service_selector)) {
    auto ready = make_ready_to_serve(d, *back, serving_size(d, *back), why);
    if (ready.exit_code != k_exit_ok) return ready;
    if (auto s = set_selector(d, d.plan().target.service, rec.previous.service_selector); !s)
      return {k_exit_needs_human, "", why + "; switching the live service back: " + s.error().message};
  }
  if (!rec.next.deployment.empty() && rec.next.deployment != rec.previous.deployment) {
    auto s = scale(d, rec.next.deployment, 0);
    if (!s && s.error().kind != util::ErrorKind::not_found)
      return {k_exit_needs_human, "",
              why + "; scaling down " + rec.next.deployment + ": " + s.error().message};
  }
  return {k_exit_rolled_back, "", why + "; " + rec.previous.deployment + " serves again"};
}

}  // namespace sluice::engine
