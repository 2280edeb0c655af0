#include <sluice/drill/rehearsal.hpp>

#include <sluice/drill/failover.hpp>
#include <sluice/drill/regions.hpp>
#include <sluice/plan/values.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

#include <sstream>

namespace sluice::drill {

namespace {

class Timeline {
 public:
  Timeline(DrillReport& report, util::Clock& clock) : report_(report), clock_(clock), start_(clock.now()) {}
  util::Duration mark(const std::string& event) {
    auto offset = std::chrono::duration_cast<util::Duration>(clock_.now() - start_);
    report_.timeline.push_back({event, util::format_rfc3339(clock_.wall_now()), offset});
    return offset;
  }

 private:
  DrillReport& report_;
  util::Clock& clock_;
  util::TimePoint start_;
};

bool met(const std::optional<util::Duration>& measured, const std::optional<util::Duration>& objective) {
  return !objective || (measured && *measured <= *objective);
}

// Fails back, marking the timeline; true when everything recorded is back.
bool fail_back(const plan::Drill& drill, DrillDeps& deps, DrillReport& report, Timeline& timeline) {
  util::Duration started = timeline.mark("FailbackStarted");
  DrillOutcome back =
      run_failback(drill, deps, [&timeline](const std::string& step) { timeline.mark(step); });
  if (back.exit_code != k_exit_ok) {
    report.message += (report.message.empty() ? "" : "; ") + std::string("failback: ") + back.message;
    return false;
  }
  report.restored = true;
  if (auto gates = run_recovery_gates(drill, deps); !gates) {
    report.message += (report.message.empty() ? "" : "; ") + std::string("baseline after failback: ") +
                      gates.error().message;
    return true;
  }
  report.failback = timeline.mark("BaselineRestored") - started;
  return true;
}

}  // namespace

int drill_exit_code(const DrillReport& report, const plan::Objectives& objectives) {
  if (!report.restored) return k_exit_needs_human;
  if (!report.failed_over || !met(report.rto, objectives.rto) || !met(report.failback, objectives.failback) ||
      !report.failback)
    return k_exit_objective_missed;
  return k_exit_ok;
}

DrillReport run_drill(const plan::Drill& drill, const std::string& from_flag, DrillDeps& deps) {
  DrillReport report;
  report.drill = drill.name;
  report.from = from_flag.empty() ? drill.failover_from : from_flag;
  Timeline timeline(report, *deps.clock);
  if (auto baseline = run_recovery_gates(drill, deps); !baseline) {
    report.message = "baseline checks: " + baseline.error().message + "; nothing was changed";
    report.restored = true;
    report.exit_code = k_exit_preflight;
    return report;
  }
  timeline.mark("BaselineGreen");
  util::Duration failure = timeline.mark("FailoverStarted");
  DrillOutcome over =
      run_failover(drill, report.from, deps, [&timeline](const std::string& step) { timeline.mark(step); });
  if (over.exit_code == k_exit_ok) {
    report.failed_over = true;
    if (auto gates = run_recovery_gates(drill, deps); gates) {
      report.rto = timeline.mark("RecoveryGatesGreen") - failure;
    } else {
      report.message = "recovery gates: " + gates.error().message;
    }
  } else {
    report.message = "failover: " + over.message;
  }
  fail_back(drill, deps, report, timeline);
  report.exit_code = drill_exit_code(report, drill.objectives);
  if (report.message.empty()) {
    report.message =
        report.exit_code == k_exit_ok ? "objectives met, everything restored" : "an objective was missed";
  }
  return report;
}

util::Result<std::vector<std::string>> drill_dry_run(const plan::Drill& drill, const std::string& from_flag,
                                                     DrillDeps& deps) {
  const std::string from = from_flag.empty() ? drill.failover_from : from_flag;
  std::vector<RegionCapacity> regions;
  std::map<std::string, const plan::Region*> by_name;
  std::map<std::string, std::string> hpa_of;
  for (const plan::Region& region : drill.regions) {
    auto observed = observe_region(region, deps.at(region.context.name));
    if (!observed) return observed.error();
    regions.push_back({region.name, observed->replicas, !observed->hpa.empty(), observed->min_replicas,
                       observed->max_replicas});
    by_name[region.name] = &region;
    hpa_of[region.name] = observed->hpa;
  }
  auto weights = observe_weights(drill, deps);
  if (!weights) return weights.error();
  std::vector<std::string> lines;
  lines.push_back("run the checks (baseline)");
  for (const CapacityChange& change : survivor_capacity(regions, from)) {
    const plan::Region& region = *by_name.at(change.region);
    lines.push_back(change.autoscaled
                        ? "raise HorizontalPodAutoscaler " + hpa_of.at(change.region) + " minReplicas " +
                              std::to_string(change.from) + " -> " + std::to_string(change.to) + " in " +
                              region.name + (change.capped ? " (capped at maxReplicas)" : "")
                        : "scale Deployment " + region.deployment + " " + std::to_string(change.from) +
                              " -> " + std::to_string(change.to) + " in " + region.name);
  }
  lines.push_back("wait until the survivors are ready and the checks pass");
  if (!weights->empty()) {
    std::string shares;
    for (const auto& [region, share] : failover_shares(*weights, from))
      shares += (shares.empty() ? "" : ", ") + region + " " + std::to_string(share);
    lines.push_back("set the HTTPRoute's weights: " + shares);
  }
  lines.push_back("run the checks (recovery gates): RTO ends here");
  lines.push_back("fail back: wait for " + from + ", restore the weights, then the capacity");
  lines.push_back("run the checks (baseline again)");
  return lines;
}

nlohmann::ordered_json to_json(const DrillReport& report, const plan::Objectives& objectives) {
  auto ms = [](const std::optional<util::Duration>& d) {
    return d ? nlohmann::ordered_json(d->count()) : nlohmann::ordered_json();
  };
  nlohmann::ordered_json timeline = nlohmann::ordered_json::array();
  for (const TimelineEntry& entry : report.timeline)
    timeline.push_back({{"event", entry.event}, {"at", entry.at}, {"offsetMs", entry.offset.count()}});
  return {{"drill", report.drill},
          {"from", report.from},
          {"timeline", timeline},
          {"rtoMs", ms(report.rto)},
          {"failbackMs", ms(report.failback)},
          {"objectives", {{"rtoMs", ms(objectives.rto)}, {"failbackMs", ms(objectives.failback)}}},
          {"rtoMet", met(report.rto, objectives.rto) && report.rto.has_value()},
          {"failbackMet", met(report.failback, objectives.failback) && report.failback.has_value()},
          {"restored", report.restored},
          {"message", report.message},
          {"exitCode", report.exit_code}};
}

std::string summary(const DrillReport& report, const plan::Objectives& objectives) {
  auto text = [](const std::optional<util::Duration>& d) {
    return d ? plan::format_duration(*d) : std::string("-");
  };
  std::ostringstream out;
  out << "drill " << report.drill << " (failover from " << report.from << ")\n";
  for (const TimelineEntry& entry : report.timeline)
    out << "  " << entry.at << "  +" << plan::format_duration(entry.offset) << "  " << entry.event << "\n";
  out << "RTO: " << text(report.rto) << " (objective " << text(objectives.rto) << ")\n";
  out << "failback: " << text(report.failback) << " (objective " << text(objectives.failback) << ")\n";
  out << (report.restored ? "restored" : "NOT restored") << ": " << report.message << "\n";
  return out.str();
}

}  // namespace sluice::drill
