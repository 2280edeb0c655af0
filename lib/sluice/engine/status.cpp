// `sluice status` and `sluice history`: read-only views of the rollout
// record, the versions' ready counts and the lock, straight from the cluster.
#include <sluice/engine/commands.hpp>
#include <sluice/engine/objects.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/state/lease_lock.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

#include <fmt/format.h>

#include <ostream>

namespace sluice::engine {

namespace {

void add_version(kube::Client& kube, const std::string& ns, const std::string& name, const std::string& role,
                 nlohmann::json& versions) {
  if (name.empty()) return;
  for (const auto& v : versions)
    if (v["name"] == name) return;
  auto dep = kube.get(kube::k_deployments, ns, name);
  if (!dep) return;
  auto c = ready_counts(*dep);
  versions.push_back({{"name", name},
                      {"role", role},
                      {"image", container_image(*dep, 0)},
                      {"ready", c.available},
                      {"desired", c.desired},
                      // A paused rollout holds its Deployment: Kubernetes moves no pods meanwhile.
                      {"held", dep->value("/spec/paused"_json_pointer, false)}});
}

}  // namespace

// The exit code the rollout's own run would end with in this state.
int status_exit_code(const state::Record& r, bool abandoned) {
  switch (r.phase) {
    case state::RecordPhase::paused:
      return r.pause_reason == state::PauseReason::failed ? k_exit_held : k_exit_paused;
    case state::RecordPhase::degraded: return k_exit_needs_human;
    case state::RecordPhase::aborted:
    case state::RecordPhase::rolled_back: return k_exit_rolled_back;
    case state::RecordPhase::progressing:
    case state::RecordPhase::rolling_back: return abandoned ? k_exit_interrupted : k_exit_ok;
    case state::RecordPhase::healthy: return k_exit_ok;
  }
  return k_exit_ok;
}

// The holder of a Lease still inside its lease; "" when free or run out.
std::string live_lock_holder(const nlohmann::json& lease, util::WallTime now) {
  std::string holder = lease.value("/spec/holderIdentity"_json_pointer, std::string());
  auto renewed = util::parse_rfc3339(lease.value("/spec/renewTime"_json_pointer, std::string()));
  int seconds = lease.value("/spec/leaseDurationSeconds"_json_pointer, 0);
  if (holder.empty() || !renewed) return holder;
  // A status read sees the lease once, so it trusts the timestamps, with a lease of slack for clock skew.
  return *renewed + std::chrono::seconds(2 * seconds) < now ? "" : holder;
}

util::Result<StatusView> read_status(kube::Client& kube, const std::string& ns, const std::string& name,
                                     util::WallTime now) {
  StatusView view;
  state::RecordStore store(kube, util::system_clock(), ns, name);  // reads only: its clock is unused
  auto rec = store.load();
  if (!rec) return rec.error();
  if (!*rec)
    return util::make_error(util::ErrorKind::not_found, "no rollout named " + name + " in namespace " + ns);
  view.record = *rec;
  auto lease = kube.get(kube::k_leases, ns, state::LeaseLock::lease_name(name));
  if (lease) view.lock_holder = live_lock_holder(*lease, now);
  if (view.record && !state::is_terminal(view.record->phase) &&
      view.record->phase != state::RecordPhase::paused)
    view.abandoned = view.lock_holder.empty();
  if (view.record)
    for (const auto& [deployment, role] : strategy_entry(view.record->strategy).versions(*view.record))
      add_version(kube, ns, deployment, role, view.versions);
  if (view.record) view.exit_code = status_exit_code(*view.record, view.abandoned);
  return view;
}

void print_status(const StatusView& view, std::ostream& out, bool json) {
  if (json) {
    nlohmann::json j{{"lockHolder", view.lock_holder},
                     {"abandoned", view.abandoned},
                     {"versions", view.versions},
                     {"exitCode", view.exit_code}};
    if (view.record) j["rollout"] = state::to_json(*view.record);
    j["rollout"].erase("planText");
    out << j.dump() << "\n";
    return;
  }
  if (!view.record) {
    out << "no rollout recorded\n";
    return;
  }
  const auto& r = *view.record;
  out << fmt::format("rollout {} #{} ({}): {}{}\n", r.name, r.rollout_id, plan::to_string(r.strategy),
                     state::to_string(r.phase), r.message.empty() ? "" : " — " + r.message);
  out << fmt::format("  image    {}\n  digest   {}\n", r.image, r.digest);
  if (r.step_index < r.steps.size())
    out << fmt::format("  step     {}/{} {} ({})\n", r.step_index + 1, r.steps.size(),
                       r.steps[r.step_index].name, state::to_string(r.steps[r.step_index].state));
  if (r.phase == state::RecordPhase::paused && r.pause_reason != state::PauseReason::none)
    out << fmt::format("  paused   {}\n", r.pause_reason == state::PauseReason::failed
                                              ? "a check failed; automatic rollback is off"
                                          : r.pause_reason == state::PauseReason::inconclusive
                                              ? "a check was inconclusive"
                                              : "by a pause step");
  if (r.strategy == plan::StrategyKind::canary)
    out << fmt::format("  traffic  {:g}% to the canary (asked {}%)\n", r.traffic.measured_weight,
                       r.traffic.weight);
  for (const auto& v : view.versions)
    out << fmt::format("  version  {} ({}): {}/{} ready, {}{}\n", v.value("name", ""), v.value("role", ""),
                       v.value("ready", 0), v.value("desired", 0), v.value("image", ""),
                       v.value("held", false) ? ", held (Deployment paused)" : "");
  std::size_t shown = 0;
  for (auto it = r.measurements.rbegin(); it != r.measurements.rend() && shown < 5; ++it, ++shown)
    out << fmt::format("  check    {}: {} {} {}\n", it->check, it->verdict, it->value, it->message);
  out << fmt::format("  started  {} by {}\n", r.started_at, r.started_by.identity());
  out << "  lock     " << (view.lock_holder.empty() ? "free" : "held by " + view.lock_holder) << "\n";
  if (view.abandoned)
    out << "  note     no process is running this rollout: `sluice apply` resumes it, `sluice abort` rolls "
           "it back\n";
}

util::Status print_history(kube::Client& kube, const std::string& ns, const std::string& name,
                           std::ostream& out, bool json) {
  auto cm = kube.get(kube::k_configmaps, ns, state::RecordStore::object_name(name));
  if (!cm) return cm.error();
  auto history = state::history_from_configmap(*cm);
  if (!history) return history.error();
  for (const auto& e : *history) {
    if (json) {
      auto j = state::to_json(e);
      j["version"].erase("template");
      out << j.dump() << "\n";
      continue;
    }
    out << fmt::format("#{:<4} {:<11} {}  {}  by {}{}\n", e.rollout_id, state::to_string(e.phase),
                       e.finished_at, e.digest, e.started_by, e.message.empty() ? "" : "  — " + e.message);
  }
  return {};
}

}  // namespace sluice::engine
