// The rollout record: everything a later run (or `status`, `promote`,
// `rollback`) needs to know about a rollout, kept as JSON in a ConfigMap
// `sluice-<name>` next to the target. Written before the step it describes.
#pragma once

#include <sluice/plan/model.hpp>
#include <sluice/state/phase.hpp>
#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::state {

using Json = nlohmann::json;

// Who started a rollout: enough for a human to find the process or CI job.
struct Starter {
  std::string host;
  int pid = 0;
  std::string user;
  std::string ci_job;  // CI_JOB_ID, GITHUB_RUN_ID, BUILDKITE_BUILD_ID, ... when present
  // Random, drawn once per process: host and pid are not unique (two CI
  // containers are both "runner/pid 1"), and the lock holder must be.
  std::string nonce;

  std::string identity() const;  // "host/pid 123 (ci job 42) #a1b2c3d4" (parts absent when empty)
};

// The starter for this process, from the host name, pid, $USER, CI variables and a random nonce.
Starter current_starter();

enum class StepState { pending, running, done, failed, skipped };
const char* to_string(StepState state);

struct StepRecord {
  std::string name;
  StepState state = StepState::pending;
  std::string started_at;   // RFC 3339, empty until started
  std::string finished_at;  // RFC 3339, empty until finished
  std::string message;
};

// One check measurement (Successful / Failed / Inconclusive / Error).
struct Measurement {
  std::string check;
  std::string step;
  std::string verdict;
  std::string value;
  std::string message;
  std::string at;
};

// The version serving before this rollout: what a rollback returns to.
struct Version {
  std::string deployment;         // the Deployment serving it
  std::string image;              // the container image in its template
  std::string revision;           // deployment.kubernetes.io/revision of its ReplicaSet
  std::string pod_template_hash;  // selects its pods
  Json template_spec;             // its pod template, for a rolling rollback
  Json service_selector;          // the live Service selector that selected it
};

// Where a canary's traffic stands: the weight asked for, what the pods or the
// route really give, and the ready pods of each side.
struct Traffic {
  int weight = 0;
  double measured_weight = 0;
  int canary_ready = 0;
  int stable_ready = 0;
  bool operator==(const Traffic&) const = default;
};
Json to_json(const Traffic& traffic);

struct Record {
  int format = 1;
  std::string name;
  std::string ns;
  plan::StrategyKind strategy = plan::StrategyKind::rolling;
  int rollout_id = 0;  // counts rollouts of this name; history keys on it
  std::string plan_hash;
  std::string plan_path;
  std::string plan_text;  // the plan file, secrets redacted, so promote/abort can continue without it
  std::string image;      // as written in the plan, or as --image gave it
  // --image and --set values the rollout was started with (field -> value):
  // part of its plan, so a continuing command reads the plan with them.
  std::map<std::string, std::string> overrides;
  std::string digest;  // resolved: repo@sha256:...
  RecordPhase phase = RecordPhase::progressing;
  std::string message;
  std::size_t step_index = 0;
  std::vector<StepRecord> steps;
  Version previous;
  Version next;  // the new version: its Deployment and pod-template hash once known
  std::vector<Measurement> measurements;
  Starter started_by;
  std::string started_at;
  std::string updated_at;
  std::string finished_at;
  bool promote_requested = false;
  bool full_promote = false;
  bool abort_requested = false;
  std::string requested_by;  // who asked for the abort or promote (another process)
  int request_seq = 0;       // counts those requests: the running process acts on each once
  PauseReason pause_reason = PauseReason::none;  // why a Paused rollout waits
  std::string switched_at;                       // blue-green: when the live Service moved to the new version
  // Canary: the replicas the stable version ran before it began (what
  // promotion and rollback restore), and where traffic stands now.
  int total_replicas = 0;
  Traffic traffic;
  // Set by the last write of a run that let its lock go with that write
  // instead of deleting the Lease: the Lease's resourceVersion then (its
  // renewals had stopped). The next run takes the Lease over with an update
  // on exactly that version; empty while a run holds the lock.
  std::string released_lease_version;
  std::string released_by;  // the identity that held it
};

// The plan text as a record keeps it: every inline secret replaced by a
// marker (plan::redact_plan_text); valueFrom references are kept. to_json
// applies it too, so a record read from an older sluice is cleaned when written.
std::string recordable_plan_text(const std::string& plan_text);

Json to_json(const Record& record);
util::Result<Record> record_from_json(const Json& json);

// A finished rollout, as kept in the bounded history.
struct HistoryEntry {
  int rollout_id = 0;
  RecordPhase phase = RecordPhase::healthy;
  std::string digest;
  std::string image;
  std::string plan_hash;
  std::string started_at;
  std::string finished_at;
  std::string started_by;
  std::string message;
  Version version;  // what this rollout left serving, for `rollback --to-revision`
};

HistoryEntry history_entry(const Record& record);
Json to_json(const HistoryEntry& entry);
util::Result<HistoryEntry> history_entry_from_json(const Json& json);

// Appends `entry`, keeping at most `limit` newest entries.
void append_history(std::vector<HistoryEntry>& history, HistoryEntry entry, std::size_t limit = 10);

// At most this many measurements are kept per record (newest win), so the
// ConfigMap stays far below the 1 MiB object limit.
inline constexpr std::size_t k_max_measurements = 200;
void add_measurement(Record& record, Measurement m);

}  // namespace sluice::state
