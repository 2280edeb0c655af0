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

#include <optional>

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

// Records what serves now and what the preview will be; nullopt when done.
std::optional<StepResult> remember_live(Driver& d) {
  auto& rec = d.record();
  Json selector = d.target().service.value("/spec/selector"_json_pointer, Json::object());
  auto live = d.deps().kube->get(kube::k_deployments, d.ns(), live_deployment(d, selector));
  if (!live) return failed_write(live.error(), "reading the live deployment " + live_deployment(d, selector));
  auto pinned = pinned_selector(d, *live, selector);
  if (!pinned) return failed_write(pinned.error(), "pinning the live service to the live version");
  rec.previous = serving_version(d, *live);
  rec.previous.service_selector = *pinned;
  d.target().deployment = *live;
  std::string version = version_id(rec.digest);
  rec.next.deployment = preview_name(d.plan().target.deployment, version);
  rec.next.image = rec.digest;
  rec.next.service_selector = selector_with(base_selector(selector), k_version_label, version);
  return std::nullopt;
}

// What serves now is normally recorded by BlueGreen::prepare, with the
// step's start; only when that could not read it is it recorded here.
StepResult create_preview(Driver& d) {
  auto& rec = d.record();
  if (rec.previous.deployment.empty()) {
    if (auto failed = remember_live(d)) return *failed;
    if (!d.save()) return {StepStatus::needs_human, "could not write the rollout record"};
  }
  if (auto pinned = d.writes().set_selector(d.plan().target.service, rec.previous.service_selector); !pinned)
    return failed_write(pinned.error(), "pinning the live service");
  auto live = d.deps().kube->get(kube::k_deployments, d.ns(), rec.previous.deployment);
  if (!live) return failed_write(live.error(), "reading the live deployment");
  int replicas = strategy::bluegreen_preview_replicas(ready_counts(*live).desired);
  Json body = make_preview_deployment(*live, rec.next.deployment, d.plan().name,
                                      rec.next.service_selector[k_version_label].get<std::string>(),
                                      d.target().container, rec.digest, replicas);
  if (auto made = d.writes().create_or_adopt(body); !made)
    return failed_write(made.error(), "creating " + rec.next.deployment);
  return {StepStatus::next, rec.next.deployment + " with " + std::to_string(replicas) + " replicas"};
}

// The live Service carries this rollout's abort mark: the rollout is being
// aborted (the Driver rolls back when a step ends with abort requested).
StepResult abort_seen(Driver& d) {
  d.record().abort_requested = true;
  d.record().requested_by = "an abort that switched " + d.plan().target.service + " back first";
  return StepResult::rollback(d.plan().target.service + " was switched back by an abort");
}

StepResult point_preview_service(Driver& d) {
  std::string name = preview_service_name(d);
  if (auto s = ensure_service(d, name, d.record().next.service_selector); !s)
    return failed_write(s.error(), "pointing " + name);
  return StepResult::next();
}

StepResult wait_preview_ready(Driver& d) {
  VersionWait w = version_wait(d, d.record().next.deployment, d.record().digest);
  w.also_report = {d.record().previous.deployment};
  return step_after(wait_for_version(d, w));
}

StepResult switch_service(Driver& d) {
  auto& rec = d.record();
  auto fresh = d.deps().kube->get(kube::k_deployments, d.ns(), rec.next.deployment);
  if (!fresh) return failed_write(fresh.error(), "reading " + rec.next.deployment);
  auto counts = ready_counts(*fresh);
  int floor = plan_floor(d.plan(), counts.desired);
  if (!strategy::may_scale_down_old(counts.available, floor)) {
    return StepResult::rollback(rec.next.deployment + " has " + std::to_string(counts.available) +
                                " available pods, below the floor of " + std::to_string(floor));
  }
  // An abort that began by switching the Service back (bluegreen_abort.cpp)
  // wins: a 409 re-reads the Service, and its mark is seen before any write.
  bool aborted = false;
  auto s = d.writes().modify(kube::k_services, d.plan().target.service, [&](Json& svc) {
    aborted = marked_aborted(svc, rec);
    if (aborted || svc.value("/spec/selector"_json_pointer, Json()) == rec.next.service_selector)
      return false;
    svc["spec"]["selector"] = rec.next.service_selector;
    return true;
  });
  if (!s) return failed_write(s.error(), "switching the live service");
  if (aborted) return abort_seen(d);
  if (rec.switched_at.empty()) rec.switched_at = util::format_rfc3339(d.deps().clock->wall_now());
  return {StepStatus::next, d.plan().target.service + " now selects " + rec.next.deployment};
}

StepResult scale_down_old(Driver& d) {
  // A delay keeps the old version warm after this run ends, so `sluice
  // rollback` is one Service write; the next apply retires it.
  if (bluegreen(d).scale_down_delay.count() > 0)
    return {StepStatus::next, d.record().previous.deployment + " kept warm for rollback"};
  if (d.record().previous.deployment == d.record().next.deployment) return StepResult::next();
  // Read fresh: an abort may have moved the Service back to the old version
  // since the switch, and the version that serves is never scaled down.
  auto svc = d.deps().kube->get(kube::k_services, d.ns(), d.plan().target.service);
  if (!svc) return failed_write(svc.error(), "reading " + d.plan().target.service);
  if (marked_aborted(*svc, d.record())) return abort_seen(d);
  if (svc->value("/spec/selector"_json_pointer, Json()) != d.record().next.service_selector) {
    return StepResult::needs_human(d.plan().target.service + " no longer selects " +
                                   d.record().next.deployment);
  }
  if (auto s = d.writes().scale(d.record().previous.deployment, 0); !s)
    return failed_write(s.error(), "scaling down " + d.record().previous.deployment);
  return {StepStatus::next, d.record().previous.deployment + " scaled to 0"};
}

// Replicas the version we return to must run: as many as the larger of the
// two versions wants now, so a rollback never shrinks what serves.
int serving_size(Driver& d, const Json& back) {
  int size = std::max({1, d.target().desired, ready_counts(back).desired});
  const auto& next = d.record().next.deployment;
  if (!next.empty() && next != d.record().previous.deployment) {
    if (auto cur = d.deps().kube->get(kube::k_deployments, d.ns(), next))
      size = std::max(size, ready_counts(*cur).desired);
  }
  return size;
}

bool service_selects(Driver& d, const Json& selector) {
  auto svc = d.deps().kube->get(kube::k_services, d.ns(), d.plan().target.service);
  return svc && svc->value("/spec/selector"_json_pointer, Json()) == selector;
}

// Brings the version we return to up to `size` and waits until it alone
// meets the floor: only then may the Service move to it.
util::Status make_ready_to_serve(Driver& d, const Json& back, int size) {
  const auto& prev = d.record().previous;
  if (ready_counts(back).desired < size) {
    if (auto s = d.writes().scale(prev.deployment, size); !s)
      return s.error().with_context("scaling up " + prev.deployment);
  }
  VersionWait w = version_wait(d, prev.deployment, prev.image);
  w.min_available = plan_floor(d.plan(), size);
  return wait_back(d, w);
}

util::Result<std::string> roll_back(Driver& d) {
  auto& rec = d.record();
  if (rec.previous.deployment.empty()) return std::string("nothing had changed");
  auto back = d.deps().kube->get(kube::k_deployments, d.ns(), rec.previous.deployment);
  if (!back) return back.error().with_context("cannot read " + rec.previous.deployment);
  // Already serving (paused before the switch): nothing to wait for.
  if (!service_selects(d, rec.previous.service_selector)) {
    if (auto ready = make_ready_to_serve(d, *back, serving_size(d, *back)); !ready) return ready.error();
    if (auto s = d.writes().set_selector(d.plan().target.service, rec.previous.service_selector); !s)
      return s.error().with_context("switching the live service back");
  }
  if (!rec.next.deployment.empty() && rec.next.deployment != rec.previous.deployment) {
    auto s = d.writes().scale(rec.next.deployment, 0);
    if (!s && s.error().kind != util::ErrorKind::not_found)
      return s.error().with_context("scaling down " + rec.next.deployment);
  }
  return rec.previous.deployment + " serves again";
}

class BlueGreen final : public StrategyDriver {
 public:
  // An abort killed right after its Service write (bluegreen_abort.cpp) left
  // its mark on the Service preflight read: whoever runs the rollout next finishes that abort.
  explicit BlueGreen(Driver& d) : StrategyDriver(d) {
    if (marked_aborted(d.target().service, d.record())) (void)abort_seen(d);
  }
  StepResult execute(const strategy::StepSpec& step) override {
    using strategy::StepKind;
    switch (step.kind) {
      case StepKind::create_preview: return create_preview(d_);
      case StepKind::point_preview_service: return point_preview_service(d_);
      case StepKind::wait_preview_ready: return wait_preview_ready(d_);
      case StepKind::switch_service: return switch_service(d_);
      case StepKind::scale_down_old: return scale_down_old(d_);
      default: return StepResult::needs_human("blue-green has no step " + step.name);
    }
  }
  // Saved with the step's start: one record write, not two.
  void prepare(const strategy::StepSpec& step) override {
    if (step.kind == strategy::StepKind::create_preview && d_.record().previous.deployment.empty())
      (void)remember_live(d_);
  }
  util::Result<std::string> roll_back() override { return engine::roll_back(d_); }
};

}  // namespace

std::unique_ptr<StrategyDriver> make_blue_green(Driver& d) {
  return std::make_unique<BlueGreen>(d);
}

// A blue-green version kept warm by the last rollout is retired now that a
// new rollout starts: it no longer serves and is not the one we roll back to.
void retire_kept_warm(const state::Record& last, Deps& deps) {
  if (last.phase != state::RecordPhase::healthy) return;
  if (last.previous.deployment.empty() || last.previous.deployment == last.next.deployment) return;
  auto scaled = deps.kube->set_scale(kube::k_deployments, last.ns, last.previous.deployment, 0);
  (void)scaled;  // best effort: a missing old version is already retired
}

}  // namespace sluice::engine
