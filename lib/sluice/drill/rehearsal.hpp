// `sluice drill DRILL`: the whole rehearsal. Baseline checks, failover,
// recovery gates, failback, baseline again; a timeline on the injected clock,
// the RTO (failover started -> recovery gates green) and the failback time,
// judged against the document's objectives.
#pragma once

#include <sluice/drill/clusters.hpp>
#include <sluice/plan/drill_model.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sluice::drill {

struct TimelineEntry {
  std::string event;         // "BaselineGreen", "Recorded", ..., "Restored", "BaselineRestored"
  std::string at;            // RFC 3339 (wall clock)
  util::Duration offset{0};  // since the drill started (the injected steady clock)
};

struct DrillReport {
  std::string drill;
  std::string from;
  std::vector<TimelineEntry> timeline;
  std::optional<util::Duration> rto;       // set once recovery gates were green after failover
  std::optional<util::Duration> failback;  // set once failback restored everything
  bool failed_over = false;
  bool restored = false;
  std::string message;  // why it ended as it did
  int exit_code = 0;
};

// 0: objectives met and everything restored; k_exit_objective_missed: restored
// but an objective missed (or the failover stopped and was undone);
// k_exit_needs_human: not restored.
DrillReport run_drill(const plan::Drill& drill, const std::string& from, DrillDeps& deps);

// The exit code a finished rehearsal ends with (pure).
int drill_exit_code(const DrillReport& report, const plan::Objectives& objectives);

// The actions a drill would take, one line each, from what runs now (reads only).
util::Result<std::vector<std::string>> drill_dry_run(const plan::Drill& drill, const std::string& from,
                                                     DrillDeps& deps);

nlohmann::ordered_json to_json(const DrillReport& report, const plan::Objectives& objectives);
// The human summary: timeline, RTO and failback time against the objectives.
std::string summary(const DrillReport& report, const plan::Objectives& objectives);

}  // namespace sluice::drill
