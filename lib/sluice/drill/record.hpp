// The drill record: what a failover found before changing anything (each
// region's replicas, its HPA's bounds, the director's weights) and the last
// step it finished, kept as JSON in a ConfigMap where the drill's `record`
// says. Failback restores exactly this; a killed run resumes from `step`.
#pragma once

#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::drill {

// The steps of a failover, then of a failback, in order. The record holds the
// last one finished: a run resumes at the one after it.
enum class DrillStep {
  recorded,          // the state before anything changed is written
  capacity_raised,   // survivors' replicas / HPA minReplicas raised
  survivors_ready,   // survivors ready and recovery gates green
  traffic_moved,     // the director gives the failed region no traffic: failed over
  region_ready,      // failback: the failed region is ready again
  traffic_restored,  // failback: the recorded weights are back
  restored,          // failback: the recorded capacity is back; the drill is over
};
const char* to_string(DrillStep step);
std::optional<DrillStep> parse_drill_step(const std::string& text);

struct RecordedRegion {
  std::string region;
  std::string context;
  std::string ns;
  std::string deployment;
  int replicas = 0;
  std::string hpa;  // the HPA owning the replica count; empty when none
  int min_replicas = 0;
  int max_replicas = 0;
};

struct DrillRecord {
  std::string drill;  // the drill's metadata.name
  std::string from;   // the region failed over from
  DrillStep step = DrillStep::recorded;
  std::vector<RecordedRegion> regions;
  std::map<std::string, int> weights;  // the director's weights before; empty for `none`
  std::string started_at;              // RFC 3339, when the failover began
};

nlohmann::json to_json(const DrillRecord& record);
// invalid, naming the field, when the JSON is not a drill record.
util::Result<DrillRecord> drill_record_from_json(const nlohmann::json& json);

// The ConfigMap a drill's record lives in: "sluice-drill-<name>".
std::string record_name(const std::string& drill);

// What `sluice failover` does given the record it finds: start afresh (no
// record, or a finished failback), resume after the recorded step, stop
// because it is already failed over from that region, or refuse because the
// record is a failover from another region not yet failed back.
enum class FailoverStart { fresh, resume, already_done, refuse };
FailoverStart failover_start(const std::optional<DrillRecord>& record, const std::string& from);

// What `sluice failback` does: nothing to do (no record, or restored),
// or continue from the recorded step.
enum class FailbackStart { nothing_to_do, resume };
FailbackStart failback_start(const std::optional<DrillRecord>& record);

}  // namespace sluice::drill
