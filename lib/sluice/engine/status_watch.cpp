#include <sluice/engine/status_watch.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/state/record_store.hpp>
#include <sluice/util/exit_code.hpp>

namespace sluice::engine {

namespace {

// Waits for a version of the record newer than `seen`; false when the wait
// ended without one. Compared with the version the shown status was read
// from, so a change that lands before the watch starts is not missed.
bool wait_for_record_change(Deps& deps, const std::string& ns, const std::string& name,
                            const std::string& seen) {
  auto changed = deps.hub->wait_until(
      kube::k_configmaps, ns, state::RecordStore::object_name(name),
      [&seen](const nlohmann::json& cm) {
        return cm.value("/metadata/resourceVersion"_json_pointer, seen) != seen;
      },
      deps.clock->now() + std::chrono::hours(24), &deps.interrupt->token());
  return static_cast<bool>(changed);
}

}  // namespace

bool status_settled(const StatusView& view) {
  if (!view.record || view.abandoned) return true;
  auto phase = view.record->phase;
  return phase != state::RecordPhase::progressing && phase != state::RecordPhase::rolling_back;
}

util::Result<int> follow_status(Deps& deps, const std::string& ns, const std::string& name, bool follow,
                                const std::function<void(const StatusView&)>& show) {
  for (;;) {
    auto view = read_status(*deps.kube, *deps.clock, ns, name);
    if (!view) return view.error();
    if (view->record) {
      view->resume_command = resume_command(deps.reach, *view->record, ns);
      view->abort_command = sluice_command(deps.reach, "abort", name, ns);
    }
    show(*view);
    if (!follow || status_settled(*view)) return view->exit_code;
    if (!wait_for_record_change(deps, ns, name, view->resource_version))
      return deps.interrupt->fired() ? k_exit_interrupted : k_exit_preflight;
  }
}

}  // namespace sluice::engine
