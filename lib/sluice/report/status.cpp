#include <sluice/report/status.hpp>

#include <fmt/format.h>

#include <ostream>

namespace sluice::report {

void print_status(const state::StatusView& view, std::ostream& out, bool json) {
  if (json) {
    nlohmann::json j{{"lockHolder", view.lock_holder},
                     {"abandoned", view.abandoned},
                     {"versions", view.versions},
                     {"exitCode", view.exit_code}};
    // A record ConfigMap may hold only history, no current record.
    if (view.record) {
      j["rollout"] = state::to_json(*view.record);
      j["rollout"].erase("planText");
    }
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
  if (r.step_index < r.steps.size()) {
    out << fmt::format("  step     {}/{} {} ({})\n", r.step_index + 1, r.steps.size(),
                       r.steps[r.step_index].name, state::to_string(r.steps[r.step_index].state));
  }
  if (r.phase == state::RecordPhase::paused && r.pause_reason != state::PauseReason::none) {
    out << fmt::format("  paused   {}\n", r.pause_reason == state::PauseReason::failed
                                              ? "a check failed; automatic rollback is off"
                                          : r.pause_reason == state::PauseReason::inconclusive
                                              ? "a check was inconclusive"
                                              : "by a pause step");
  }
  if (r.strategy == plan::StrategyKind::canary) {
    out << fmt::format("  traffic  {:g}% to the canary (asked {}%)\n", r.traffic.measured_weight,
                       r.traffic.weight);
  }
  for (const auto& v : view.versions) {
    out << fmt::format("  version  {} ({}): {}/{} ready, {}{}\n", v.value("name", ""), v.value("role", ""),
                       v.value("ready", 0), v.value("desired", 0), v.value("image", ""),
                       v.value("held", false) ? ", held (Deployment paused)" : "");
  }
  std::size_t shown = 0;
  for (auto it = r.measurements.rbegin(); it != r.measurements.rend() && shown < 5; ++it, ++shown)
    out << fmt::format("  check    {}: {} {} {}\n", it->check, it->verdict, it->value, it->message);
  out << fmt::format("  started  {} by {}\n", r.started_at, r.started_by.identity());
  out << "  lock     " << (view.lock_holder.empty() ? "free" : "held by " + view.lock_holder) << "\n";
  if (view.abandoned) {
    const std::string resume = view.resume_command.empty() ? "`sluice apply`" : view.resume_command;
    const std::string abort = view.abort_command.empty() ? "`sluice abort`" : view.abort_command;
    out << "  note     no process is running this rollout: " << resume << " resumes it, " << abort
        << " rolls it back\n";
  }
}

void print_history(const std::vector<state::HistoryEntry>& history, std::ostream& out, bool json) {
  for (const auto& e : history) {
    if (json) {
      auto j = state::to_json(e);
      j["version"].erase("template");
      out << j.dump() << "\n";
      continue;
    }
    out << fmt::format("#{:<4} {:<11} {}  {}  by {}{}\n", e.rollout_id, state::to_string(e.phase),
                       e.finished_at, e.digest, e.started_by, e.message.empty() ? "" : "  — " + e.message);
  }
}

}  // namespace sluice::report
