// The blue-green strategy: the new version runs in its own Deployment
// `<deployment>-<version>` beside the live one, the preview Service points at
// it, and once it is fully available (and its checks pass) the live Service
// selector moves to it in one write. The old version stays scaled so a
// rollback is one Service write.
#include <sluice/engine/driver.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>

#include <sluice/cli/app.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/kube/retry.hpp>
#include <sluice/state/guarded_write.hpp>
#include <sluice/strategy/capacity.hpp>
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

StepResult failed_write(const util::Error& e, const std::string& what) {
  if (e.kind == util::ErrorKind::cancelled) return {StepStatus::interrupted, e.message};
  return {StepStatus::needs_human, what + ": " + e.message};
}

// Sets the selector of Service `name`, re-reading on 409: the one write a switch costs.
util::Status set_selector(Driver& d, const std::string& name, const Json& selector) {
  auto& kube = *d.deps().kube;
  return state::retry_guarded_write(
      [&]() -> util::Status {
        if (d.cancel().cancelled()) return util::make_error(util::ErrorKind::cancelled, "interrupted");
        auto svc = kube.get(kube::k_services, d.ns(), name);
        if (!svc) return svc.error();
        if (svc->value("/spec/selector"_json_pointer, Json()) == selector)
          return {};  // already there (resumed)
        (*svc)["spec"]["selector"] = selector;
        auto written = kube.update(kube::k_services, d.ns(), *svc);
        if (!written) return written.error();
        return {};
      },
      *d.deps().clock, &d.cancel());
}

Json base_selector(Json selector) {
  if (!selector.is_object()) return Json::object();
  selector.erase(k_version_label);
  selector.erase("pod-template-hash");
  return selector;
}

// The Deployment the live Service selects now, from its selector.
std::string live_deployment(const Driver& d, const Json& selector) {
  if (selector.contains(k_version_label))
    return preview_name(d.plan().target.deployment, selector[k_version_label].get<std::string>());
  return d.plan().target.deployment;
}

// Before the new pods exist, the live Service must select only the live
// version's pods; a plain `app=web` selector would also pick up the new ones.
util::Result<Json> pinned_live_selector(Driver& d, const Json& live, const Json& selector) {
  if (selector.contains(k_version_label) || selector.contains("pod-template-hash")) return selector;
  auto labels = live.value("/spec/selector/matchLabels"_json_pointer, Json::object());
  kube::ListOptions opts;
  opts.label_selector = selector_string(labels);
  auto rs = d.deps().kube->list_all(kube::k_replicasets, d.ns(), opts);
  if (!rs) return rs.error();
  std::string hash = current_template_hash(live, rs->items);
  if (hash.empty())
    return util::make_error(util::ErrorKind::not_found, "no current ReplicaSet for the live version");
  return selector_with(selector, "pod-template-hash", hash);
}

// Create, or take over the Deployment a killed run already created. Safe to
// repeat after a transient failure: a create that did land is then adopted.
util::Status create_or_adopt(Driver& d, const Json& body) {
  auto& kube = *d.deps().kube;
  std::string name = body["metadata"]["name"].get<std::string>();
  return state::retry_guarded_write(
      [&]() -> util::Status {
        if (d.cancel().cancelled()) return util::make_error(util::ErrorKind::cancelled, "interrupted");
        auto created = kube.create(kube::k_deployments, d.ns(), body);
        if (created) return {};
        if (created.error().kind != util::ErrorKind::already_exists) return created.error();
        auto dep = kube.get(kube::k_deployments, d.ns(), name);
        if (!dep) return dep.error();
        (*dep)["spec"] = body["spec"];
        auto written = kube.update(kube::k_deployments, d.ns(), *dep);
        if (!written) return written.error();
        return {};
      },
      *d.deps().clock, &d.cancel());
}

util::Status scale(Driver& d, const std::string& deployment, int replicas) {
  // Setting an absolute replica count is idempotent, so transient failures are retried too.
  return state::retry_guarded_write(
      [&]() -> util::Status {
        auto done = d.deps().kube->set_scale(kube::k_deployments, d.ns(), deployment, replicas);
        if (!done) return done.error();
        return {};
      },
      *d.deps().clock, &d.cancel());
}

}  // namespace

StepResult bluegreen_create_preview(Driver& d) {
  auto& rec = d.record();
  Json selector = d.target().service.value("/spec/selector"_json_pointer, Json::object());
  if (rec.previous.deployment.empty()) {
    rec.previous.deployment = live_deployment(d, selector);
    auto live = d.deps().kube->get(kube::k_deployments, d.ns(), rec.previous.deployment);
    if (!live) return failed_write(live.error(), "reading the live deployment " + rec.previous.deployment);
    auto pinned = pinned_live_selector(d, *live, selector);
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
  const Json& selector = d.record().next.service_selector;
  auto existing = d.deps().kube->get(kube::k_services, d.ns(), name);
  if (existing) {
    if (auto s = set_selector(d, name, selector); !s) return failed_write(s.error(), "pointing " + name);
    return StepResult::next();
  }
  if (existing.error().kind != util::ErrorKind::not_found)
    return failed_write(existing.error(), "reading " + name);
  Json ports = d.target().service.value("/spec/ports"_json_pointer, Json::array());
  for (auto& p : ports) p.erase("nodePort");
  Json svc{{"apiVersion", "v1"},
           {"kind", "Service"},
           {"metadata",
            {{"name", name},
             {"namespace", d.ns()},
             {"labels", {{"app.kubernetes.io/managed-by", "sluice"}, {k_rollout_label, d.plan().name}}}}},
           {"spec", {{"selector", selector}, {"ports", ports}}}};
  auto created = d.deps().kube->create(kube::k_services, d.ns(), svc);
  if (!created && created.error().kind != util::ErrorKind::already_exists)
    return failed_write(created.error(), "creating " + name);
  return StepResult::next();
}

StepResult bluegreen_wait_preview_ready(Driver& d) {
  VersionWait w;
  w.deployment = d.record().next.deployment;
  w.image = d.record().digest;
  w.deadline = d.deps().clock->now() + d.plan().progress_deadline;
  w.also_report = {d.record().previous.deployment};
  auto end = wait_for_version(d, w);
  switch (end.end) {
    case WaitEnd::ready: return StepResult::next();
    case WaitEnd::interrupted: return {StepStatus::interrupted, end.message};
    case WaitEnd::inconclusive: return {StepStatus::paused, end.message};
    case WaitEnd::failed: break;
  }
  return StepResult::rollback(end.message);
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

Outcome bluegreen_roll_back(Driver& d, const std::string& why) {
  auto& rec = d.record();
  if (rec.previous.deployment.empty()) return {cli::k_exit_rolled_back, "", why + "; nothing had changed"};
  auto live = d.deps().kube->get(kube::k_deployments, d.ns(), rec.previous.deployment);
  if (!live) return {cli::k_exit_needs_human, "", why + "; cannot read " + rec.previous.deployment};
  if (!fully_available(*live)) {
    // Scaled down already: bring it back before any traffic moves to it.
    int replicas = std::max(1, d.target().desired);
    if (auto s = scale(d, rec.previous.deployment, replicas); !s)
      return {cli::k_exit_needs_human, "",
              why + "; scaling up " + rec.previous.deployment + ": " + s.error().message};
    VersionWait w{rec.previous.deployment,
                  rec.previous.image,
                  d.deps().clock->now() + d.plan().progress_deadline,
                  nullptr,
                  {}};
    auto end = wait_for_version(d, w);
    if (end.end == WaitEnd::interrupted) return {cli::k_exit_interrupted, "", why};
    if (end.end != WaitEnd::ready) return {cli::k_exit_needs_human, "", why + "; " + end.message};
  }
  if (auto s = set_selector(d, d.plan().target.service, rec.previous.service_selector); !s)
    return {cli::k_exit_needs_human, "", why + "; switching the live service back: " + s.error().message};
  if (!rec.next.deployment.empty() && rec.next.deployment != rec.previous.deployment) {
    auto s = scale(d, rec.next.deployment, 0);
    if (!s && s.error().kind != util::ErrorKind::not_found)
      return {cli::k_exit_needs_human, "",
              why + "; scaling down " + rec.next.deployment + ": " + s.error().message};
  }
  return {cli::k_exit_rolled_back, "", why + "; " + rec.previous.deployment + " serves again"};
}

}  // namespace sluice::engine
