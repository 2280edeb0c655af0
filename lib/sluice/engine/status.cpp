// `sluice status` and `sluice history`: read-only views of the rollout
// record, the versions' ready counts and the lock, straight from the cluster
// (report/status prints them).
#include <sluice/engine/commands.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/strategy_driver.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/plan/overrides.hpp>
#include <sluice/state/lease_lock.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

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

// An abort that switched traffic back before taking the lock and stopped
// there has not reached the record yet: the cluster says it is rolling back.
void show_abort_under_way(kube::Client& kube, state::Record& rec) {
  auto aborted = strategy_entry(rec.strategy).aborted_first;
  if (aborted == nullptr || !aborted(kube, rec)) return;
  rec.phase = state::RecordPhase::rolling_back;
  rec.message = "aborting: traffic is back on " + rec.previous.deployment +
                " but the abort stopped before it finished; `sluice abort " + rec.name + "` finishes it";
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

std::string resume_command(const Reach& reach, const state::Record& record, const std::string& ns) {
  std::string args = record.plan_path.empty() ? "PLAN" : record.plan_path;
  for (const auto& [field, value] : record.overrides) args += " " + plan::override_flag(field) + "=" + value;
  return sluice_command(reach, "apply", args, ns);
}

util::Result<StatusView> read_status(kube::Client& kube, util::Clock& clock, const std::string& ns,
                                     const std::string& name) {
  StatusView view;
  state::RecordStore store(kube, clock, ns, name);
  auto rec = store.load();
  if (!rec) return rec.error();
  if (!*rec)
    return util::make_error(util::ErrorKind::not_found, "no rollout named " + name + " in namespace " + ns);
  view.resource_version = store.resource_version();
  view.record = *rec;
  if (!state::is_terminal(view.record->phase)) show_abort_under_way(kube, *view.record);
  auto lease = kube.get(kube::k_leases, ns, state::LeaseLock::lease_name(name));
  // A run that let the lock go with its last record write left the Lease as
  // it was: free while it is still the version that record names.
  bool released =
      lease && !view.record->released_lease_version.empty() &&
      lease->value("/metadata/resourceVersion"_json_pointer, "") == view.record->released_lease_version;
  if (lease && !released) view.lock_holder = live_lock_holder(*lease, clock.wall_now());
  if (view.record && !state::is_terminal(view.record->phase) &&
      view.record->phase != state::RecordPhase::paused)
    view.abandoned = view.lock_holder.empty();
  if (view.record) {
    for (const auto& [deployment, role] : strategy_entry(view.record->strategy).versions(*view.record))
      add_version(kube, ns, deployment, role, view.versions);
  }
  if (view.record) view.exit_code = status_exit_code(*view.record, view.abandoned);
  return view;
}

util::Result<std::vector<state::HistoryEntry>> read_history(kube::Client& kube, util::Clock& clock,
                                                            const std::string& ns, const std::string& name) {
  state::RecordStore store(kube, clock, ns, name);
  auto history = store.history();
  if (history && store.resource_version().empty())
    return util::make_error(util::ErrorKind::not_found, "no rollout named " + name + " in namespace " + ns);
  return history;
}

}  // namespace sluice::engine
