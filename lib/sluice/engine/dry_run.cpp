// `sluice diff` and `apply --dry-run`: the writes apply's first step makes,
// built by the same functions the strategies write with (objects.hpp), sent
// through a kube::DryRunClient so the API server validates, defaults and
// answers them without storing anything, then shown against the live objects.
// Later steps depend on what the cluster does after the first (pods, checks),
// so they are not shown.
#include <sluice/engine/commands.hpp>
#include <sluice/engine/objects.hpp>

#include <sluice/kube/dry_run_client.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/report/object_diff.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/strategy/capacity.hpp>
#include <sluice/util/exit_code.hpp>

#include <fmt/format.h>

#include <vector>

namespace sluice::engine {

namespace {

using report::ChangeAction;
using report::ObjectChange;

struct FirstStep {
  const plan::Plan& plan;
  const Target& target;
  kube::Client& kube;  // the dry-run client: no write through it is stored
  std::vector<ObjectChange> changes;
  std::vector<std::string> problems;
};

std::string where(const kube::ResourceRef& ref, const std::string& ns, const std::string& name) {
  return ref.kind + " " + ns + "/" + name;
}

std::string name_of(const Json& object) {
  return object.value("/metadata/name"_json_pointer, std::string());
}

// The update a guarded modify would send; none when `changed` is `live` (apply skips it too).
void dry_update(FirstStep& s, const kube::ResourceRef& ref, const Json& live, const Json& changed) {
  if (changed == live) return;
  auto answer = s.kube.update(ref, s.target.ns, changed);
  if (!answer) {
    s.problems.push_back("dry run of updating " + where(ref, s.target.ns, name_of(live)) + ": " +
                         answer.error().message);
    return;
  }
  s.changes.push_back({ref.kind, s.target.ns, name_of(live), ChangeAction::update, live, *answer});
}

// A create; when the object exists already, the update that adopts it
// (Writes::create_or_adopt: the body's spec over the existing object).
void dry_create_or_adopt(FirstStep& s, const kube::ResourceRef& ref, const Json& body) {
  std::string name = name_of(body);
  auto answer = s.kube.create(ref, s.target.ns, body);
  if (answer) {
    s.changes.push_back({ref.kind, s.target.ns, name, ChangeAction::create, Json(), *answer});
    return;
  }
  auto existing = answer.error().kind == util::ErrorKind::already_exists ? s.kube.get(ref, s.target.ns, name)
                                                                         : util::Result<Json>(answer.error());
  if (!existing) {
    s.problems.push_back("dry run of creating " + where(ref, s.target.ns, name) + ": " +
                         existing.error().message);
    return;
  }
  Json adopted = *existing;
  adopted["spec"] = body["spec"];
  dry_update(s, ref, *existing, adopted);
}

// Points Service `name` at `selector` as ensure_service does: the selector
// of an existing one, else a new Service.
void dry_ensure_service(FirstStep& s, const std::string& name, const Json& selector) {
  auto existing = s.kube.get(kube::k_services, s.target.ns, name);
  if (!existing) {
    dry_create_or_adopt(s, kube::k_services,
                        sluice_service(name, s.target.ns, s.plan.name, selector, s.target.service));
    return;
  }
  Json changed = *existing;
  changed["spec"]["selector"] = selector;
  dry_update(s, kube::k_services, *existing, changed);
}

// The pod-template-hash of `deployment`'s current ReplicaSet ("" when not found).
std::string current_hash_of(FirstStep& s, const Json& deployment) {
  kube::ListOptions opts;
  opts.label_selector =
      selector_string(deployment.value("/spec/selector/matchLabels"_json_pointer, Json::object()));
  auto rs = s.kube.list_all(kube::k_replicasets, s.target.ns, opts);
  std::string hash = rs ? current_template_hash(deployment, rs->items) : "";
  if (hash.empty()) s.problems.push_back("no current ReplicaSet for " + name_of(deployment));
  return hash;
}

// Rolling: the template moves to the digest, with the plan's surge and unavailable (rolling.cpp).
void rolling_first_step(FirstStep& s) {
  const auto& r = std::get<plan::RollingStrategy>(s.plan.strategy);
  auto params =
      strategy::rolling_parameters(s.target.desired, r.max_surge, r.max_unavailable, s.plan.min_available);
  Json changed = s.target.deployment;
  roll_template_to(changed, s.target.container, s.target.digest_ref, params, s.plan.progress_deadline);
  dry_update(s, kube::k_deployments, s.target.deployment, changed);
}

// Blue-green: the live Service pinned to the live pods, then the new
// `<deployment>-<version>` beside it (bluegreen.cpp create_preview). The
// preview Service and the switch are later steps.
void bluegreen_first_step(FirstStep& s) {
  Json selector = s.target.service.value("/spec/selector"_json_pointer, Json::object());
  if (!selector.contains(k_version_label) && !selector.contains("pod-template-hash")) {
    std::string hash = current_hash_of(s, s.target.live);
    if (hash.empty()) return;
    Json pinned = s.target.service;
    pinned["spec"]["selector"] = selector_with(selector, "pod-template-hash", hash);
    dry_update(s, kube::k_services, s.target.service, pinned);
  }
  std::string version = version_id(s.target.digest_ref);
  int replicas = strategy::bluegreen_preview_replicas(ready_counts(s.target.live).desired);
  dry_create_or_adopt(
      s, kube::k_deployments,
      make_preview_deployment(s.target.live, preview_name(s.plan.target.deployment, version), s.plan.name,
                              version, s.target.container, s.target.digest_ref, replicas));
}

// Gateway API: the canary Service, the stable Service pinned to the
// stable pods, and the canary backend on the route at weight 0 (canary.cpp prepare_route).
void gateway_first_writes(FirstStep& s, const plan::CanaryStrategy& c, const std::string& version) {
  Json base = base_selector(s.target.service.value("/spec/selector"_json_pointer, Json()));
  std::string canary_svc = c.canary_service.empty() ? s.plan.target.service + "-canary" : c.canary_service;
  dry_ensure_service(s, canary_svc, selector_with(base, k_version_label, version));
  std::string hash = current_hash_of(s, s.target.deployment);
  if (hash.empty()) return;
  Json pinned = s.target.service;
  pinned["spec"]["selector"] = selector_with(base, "pod-template-hash", hash);
  dry_update(s, kube::k_services, s.target.service, pinned);
  auto route = s.kube.get(kube::k_httproutes, s.target.ns, c.route_name);
  if (!route) {
    s.problems.push_back("reading HTTPRoute " + c.route_name + ": " + route.error().message);
    return;
  }
  Json weighted = *route;
  set_backend_weights(weighted, {s.target.ns, s.plan.target.service, canary_svc}, 100, 0);
  dry_update(s, kube::k_httproutes, *route, weighted);
}

// An earlier rollout's canary with another version's selector is deleted
// first (a selector is immutable); the server cannot dry-run the create
// that follows while it exists, so that create shows the body sluice sends.
bool replaced_older_canary(FirstStep& s, const Json& body) {
  auto existing = s.kube.get(kube::k_deployments, s.target.ns, name_of(body));
  if (!existing || existing->value("/spec/selector"_json_pointer, Json()) == body["spec"]["selector"])
    return false;
  kube::DeleteOptions options;
  options.propagation = kube::Propagation::background;
  options.precondition_resource_version = existing->value("/metadata/resourceVersion"_json_pointer, "");
  auto removed = s.kube.remove(kube::k_deployments, s.target.ns, name_of(body), options);
  if (!removed) {
    s.problems.push_back("dry run of deleting " + where(kube::k_deployments, s.target.ns, name_of(body)) +
                         ": " + removed.error().message);
    return true;
  }
  s.changes.push_back({"Deployment", s.target.ns, name_of(body), ChangeAction::remove, *existing, Json()});
  s.changes.push_back({"Deployment", s.target.ns, name_of(body), ChangeAction::create, Json(), body});
  return true;
}

// Canary: `<deployment>-canary` with 0 pods (canary.cpp create_canary), and
// with Gateway API traffic the Services and route it needs.
void canary_first_step(FirstStep& s) {
  const auto& c = std::get<plan::CanaryStrategy>(s.plan.strategy);
  std::string version = version_id(s.target.digest_ref);
  Json body = make_preview_deployment(s.target.deployment, canary_name(s.plan.target.deployment), s.plan.name,
                                      version, s.target.container, s.target.digest_ref, 0);
  if (!replaced_older_canary(s, body)) dry_create_or_adopt(s, kube::k_deployments, body);
  if (c.traffic == plan::CanaryStrategy::Traffic::gateway_route) gateway_first_writes(s, c, version);
}

void first_step(FirstStep& s) {
  if (std::holds_alternative<plan::RollingStrategy>(s.plan.strategy)) return rolling_first_step(s);
  if (std::holds_alternative<plan::BlueGreenStrategy>(s.plan.strategy)) return bluegreen_first_step(s);
  canary_first_step(s);
}

void emit_info(Deps& deps, const std::string& rollout, const std::string& message) {
  deps.out->emit(report::Event{report::EventType::info, rollout, 0, 0, "", message, {}});
}

// An unfinished rollout is resumed by apply, not started again: say so and
// how to see it. Reading the record is a read; the lock is never taken.
void note_rollout_in_progress(const plan::Plan& plan, Deps& deps, const std::string& ns) {
  state::RecordStore store(*deps.kube, *deps.clock, ns, plan.name);
  auto loaded = store.load();
  if (!loaded || !*loaded || state::is_terminal((*loaded)->phase)) return;
  const auto& r = **loaded;
  emit_info(deps, plan.name,
            fmt::format("rollout {} #{} of {} is in progress ({}, step {} of {}): apply would resume it; "
                        "below is what its first step would still change. {} shows it",
                        plan.name, r.rollout_id, r.image, state::to_string(r.phase), r.step_index + 1,
                        r.steps.size(), sluice_command(deps.reach, "status", plan.name, ns)));
}

std::string summary(const std::vector<ObjectChange>& changes) {
  if (changes.empty()) return "no change: apply's first step would leave every object as it is";
  std::string names;
  for (const auto& c : changes) {
    names +=
        (names.empty() ? "" : ", ") + std::string(report::to_string(c.action)) + " " + c.kind + " " + c.name;
  }
  return fmt::format("dry run: apply's first step would change {} object{} ({}); nothing was changed",
                     changes.size(), changes.size() == 1 ? "" : "s", names);
}

}  // namespace

DryRunOutcome dry_run_plan(const plan::Plan& plan, Deps& deps, const RunOptions& options) {
  std::string ns = target_namespace(plan, options);
  auto pf = preflight(plan, deps, ns);
  if (!pf.ok) {
    for (const auto& problem : pf.problems) emit_info(deps, plan.name, "preflight: " + problem);
    return {{k_exit_preflight, {}, pf.problems.front()}, 0};
  }
  note_rollout_in_progress(plan, deps, ns);
  if (already_serving(pf.target)) {
    return {{k_exit_ok, {}, "no change: " + plan.target.deployment + " already runs " + pf.target.digest_ref},
            0};
  }
  kube::DryRunClient dry(*deps.kube);
  FirstStep s{plan, pf.target, dry, {}, {}};
  first_step(s);
  if (!s.problems.empty()) {
    for (const auto& problem : s.problems) emit_info(deps, plan.name, problem);
    return {{k_exit_preflight, {}, s.problems.front()}, 0};
  }
  // An answer that differs only in what a diff leaves out (resourceVersion, status) changes nothing.
  std::erase_if(s.changes, [](const ObjectChange& c) { return report::unified_diff(c).empty(); });
  for (const auto& change : s.changes) deps.out->emit(report::diff_event(plan.name, change));
  return {{k_exit_ok, {}, summary(s.changes)}, static_cast<int>(s.changes.size())};
}

}  // namespace sluice::engine
