#include <sluice/state/record.hpp>

#include <sluice/plan/secrets.hpp>

#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <random>

namespace sluice::state {

using util::ErrorKind;
using util::make_error;

std::string Starter::identity() const {
  std::string id = host + "/pid " + std::to_string(pid);
  if (!ci_job.empty()) id += " (ci job " + ci_job + ")";
  if (!nonce.empty()) id += " #" + nonce;
  return id;
}

namespace {
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string process_nonce() {
  static const std::string nonce = [] {
    std::random_device random;
    return fmt::format("{:08x}", random());
  }();
  return nonce;
}
}  // namespace

Starter current_starter() {
  Starter s;
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) == 0) s.host = host.data();
  s.pid = static_cast<int>(getpid());
  s.user = env("USER");
  s.nonce = process_nonce();
  for (const char* var :
       {"CI_JOB_ID", "GITHUB_RUN_ID", "BUILDKITE_BUILD_ID", "BUILD_ID", "CIRCLE_WORKFLOW_JOB_ID"}) {
    s.ci_job = env(var);
    if (!s.ci_job.empty()) break;
  }
  return s;
}

const char* to_string(StepState state) {
  switch (state) {
    case StepState::pending: return "Pending";
    case StepState::running: return "Running";
    case StepState::done: return "Done";
    case StepState::failed: return "Failed";
    case StepState::skipped: return "Skipped";
  }
  return "Unknown";
}

namespace {

StepState parse_step_state(const std::string& s) {
  for (auto st :
       {StepState::pending, StepState::running, StepState::done, StepState::failed, StepState::skipped})
    if (s == to_string(st)) return st;
  return StepState::pending;
}

Json to_json(const Starter& s) {
  return Json{{"host", s.host}, {"pid", s.pid}, {"user", s.user}, {"ciJob", s.ci_job}, {"nonce", s.nonce}};
}
Starter starter_from(const Json& j) {
  return Starter{j.value("host", ""), j.value("pid", 0), j.value("user", ""), j.value("ciJob", ""),
                 j.value("nonce", "")};
}

Json to_json(const Version& v) {
  return Json{{"deployment", v.deployment},  {"image", v.image},
              {"revision", v.revision},      {"podTemplateHash", v.pod_template_hash},
              {"template", v.template_spec}, {"serviceSelector", v.service_selector}};
}
Version version_from(const Json& j) {
  Version v;
  v.deployment = j.value("deployment", "");
  v.image = j.value("image", "");
  v.revision = j.value("revision", "");
  v.pod_template_hash = j.value("podTemplateHash", "");
  v.template_spec = j.value("template", Json());
  v.service_selector = j.value("serviceSelector", Json());
  return v;
}

Json to_json(const StepRecord& s) {
  return Json{{"name", s.name},
              {"state", to_string(s.state)},
              {"startedAt", s.started_at},
              {"finishedAt", s.finished_at},
              {"message", s.message}};
}
StepRecord step_from(const Json& j) {
  return StepRecord{j.value("name", ""), parse_step_state(j.value("state", "")), j.value("startedAt", ""),
                    j.value("finishedAt", ""), j.value("message", "")};
}

Json to_json(const Measurement& m) {
  return Json{{"check", m.check}, {"step", m.step},       {"verdict", m.verdict},
              {"value", m.value}, {"message", m.message}, {"at", m.at}};
}
Measurement measurement_from(const Json& j) {
  return Measurement{j.value("check", ""), j.value("step", ""),    j.value("verdict", ""),
                     j.value("value", ""), j.value("message", ""), j.value("at", "")};
}

Traffic traffic_from(const Json& j) {
  return Traffic{j.value("weight", 0), j.value("measuredWeight", 0.0), j.value("canaryReady", 0),
                 j.value("stableReady", 0)};
}

}  // namespace

Json to_json(const Traffic& t) {
  return Json{{"weight", t.weight},
              {"measuredWeight", t.measured_weight},
              {"canaryReady", t.canary_ready},
              {"stableReady", t.stable_ready}};
}

std::string recordable_plan_text(const std::string& plan_text) {
  return plan::redact_plan_text(plan_text);
}

Json to_json(const Record& r) {
  Json steps = Json::array();
  for (const auto& s : r.steps) steps.push_back(to_json(s));
  Json measurements = Json::array();
  for (const auto& m : r.measurements) measurements.push_back(to_json(m));
  return Json{
      {"format", r.format},
      {"name", r.name},
      {"namespace", r.ns},
      {"strategy", plan::to_string(r.strategy)},
      {"rolloutId", r.rollout_id},
      {"planHash", r.plan_hash},
      {"planPath", r.plan_path},
      {"planText", recordable_plan_text(r.plan_text)},
      {"overrides", r.overrides},
      {"switchedAt", r.switched_at},
      {"image", r.image},
      {"digest", r.digest},
      {"phase", to_string(r.phase)},
      {"message", r.message},
      {"stepIndex", r.step_index},
      {"steps", steps},
      {"previous", to_json(r.previous)},
      {"next", to_json(r.next)},
      {"measurements", measurements},
      {"startedBy", to_json(r.started_by)},
      {"startedAt", r.started_at},
      {"updatedAt", r.updated_at},
      {"finishedAt", r.finished_at},
      {"promoteRequested", r.promote_requested},
      {"fullPromote", r.full_promote},
      {"abortRequested", r.abort_requested},
      {"requestedBy", r.requested_by},
      {"requestSeq", r.request_seq},
      {"pauseReason", to_string(r.pause_reason)},
      {"totalReplicas", r.total_replicas},
      {"traffic", to_json(r.traffic)},
      {"releasedLock", {{"leaseResourceVersion", r.released_lease_version}, {"holder", r.released_by}}}};
}

util::Result<Record> record_from_json(const Json& j) {
  if (!j.is_object()) return make_error(ErrorKind::invalid, "rollout record is not a JSON object");
  try {
    Record r;
    r.format = j.value("format", 1);
    if (r.format != 1) {
      return make_error(ErrorKind::invalid, "rollout record format " + std::to_string(r.format) +
                                                " is newer than this sluice understands");
    }
    r.name = j.value("name", "");
    r.ns = j.value("namespace", "");
    auto kind = plan::parse_strategy_kind(j.value("strategy", ""));
    if (!kind) {
      return make_error(ErrorKind::invalid,
                        "rollout record has unknown strategy '" + j.value("strategy", "") + "'");
    }
    r.strategy = *kind;
    r.rollout_id = j.value("rolloutId", 0);
    r.plan_hash = j.value("planHash", "");
    r.plan_path = j.value("planPath", "");
    r.plan_text = j.value("planText", "");
    r.overrides = j.value("overrides", std::map<std::string, std::string>{});
    r.switched_at = j.value("switchedAt", "");
    r.image = j.value("image", "");
    r.digest = j.value("digest", "");
    auto phase = parse_record_phase(j.value("phase", ""));
    if (!phase) {
      return make_error(ErrorKind::invalid,
                        "rollout record has unknown phase '" + j.value("phase", "") + "'");
    }
    r.phase = *phase;
    r.message = j.value("message", "");
    r.step_index = j.value("stepIndex", std::size_t{0});
    for (const auto& s : j.value("steps", Json::array())) r.steps.push_back(step_from(s));
    r.previous = version_from(j.value("previous", Json::object()));
    r.next = version_from(j.value("next", Json::object()));
    for (const auto& m : j.value("measurements", Json::array()))
      r.measurements.push_back(measurement_from(m));
    r.started_by = starter_from(j.value("startedBy", Json::object()));
    r.started_at = j.value("startedAt", "");
    r.updated_at = j.value("updatedAt", "");
    r.finished_at = j.value("finishedAt", "");
    r.promote_requested = j.value("promoteRequested", false);
    r.full_promote = j.value("fullPromote", false);
    r.abort_requested = j.value("abortRequested", false);
    r.requested_by = j.value("requestedBy", "");
    r.request_seq = j.value("requestSeq", 0);
    r.pause_reason = parse_pause_reason(j.value("pauseReason", ""));
    r.total_replicas = j.value("totalReplicas", 0);
    r.traffic = traffic_from(j.value("traffic", Json::object()));
    Json released = j.value("releasedLock", Json::object());
    r.released_lease_version = released.value("leaseResourceVersion", "");
    r.released_by = released.value("holder", "");
    return r;
  } catch (const Json::exception& e) {
    return make_error(ErrorKind::invalid, std::string("rollout record: ") + e.what());
  }
}

HistoryEntry history_entry(const Record& r) {
  HistoryEntry e;
  e.rollout_id = r.rollout_id;
  e.phase = r.phase;
  e.digest = r.digest;
  e.image = r.image;
  e.plan_hash = r.plan_hash;
  e.started_at = r.started_at;
  e.finished_at = r.finished_at;
  e.started_by = r.started_by.identity();
  e.message = r.message;
  e.version = r.phase == RecordPhase::healthy ? r.next : r.previous;
  return e;
}

Json to_json(const HistoryEntry& e) {
  return Json{{"rolloutId", e.rollout_id},   {"phase", to_string(e.phase)},
              {"digest", e.digest},          {"image", e.image},
              {"planHash", e.plan_hash},     {"startedAt", e.started_at},
              {"finishedAt", e.finished_at}, {"startedBy", e.started_by},
              {"message", e.message},        {"version", to_json(e.version)}};
}

util::Result<HistoryEntry> history_entry_from_json(const Json& j) {
  if (!j.is_object()) return make_error(ErrorKind::invalid, "history entry is not a JSON object");
  try {
    HistoryEntry e;
    e.rollout_id = j.value("rolloutId", 0);
    auto phase = parse_record_phase(j.value("phase", ""));
    if (!phase) return make_error(ErrorKind::invalid, "history entry has unknown phase");
    e.phase = *phase;
    e.digest = j.value("digest", "");
    e.image = j.value("image", "");
    e.plan_hash = j.value("planHash", "");
    e.started_at = j.value("startedAt", "");
    e.finished_at = j.value("finishedAt", "");
    e.started_by = j.value("startedBy", "");
    e.message = j.value("message", "");
    e.version = version_from(j.value("version", Json::object()));
    return e;
  } catch (const Json::exception& e) {
    return make_error(ErrorKind::invalid, std::string("history entry: ") + e.what());
  }
}

void append_history(std::vector<HistoryEntry>& history, HistoryEntry entry, std::size_t limit) {
  history.push_back(std::move(entry));
  if (history.size() > limit) history.erase(history.begin(), history.end() - static_cast<long>(limit));
}

void add_measurement(Record& record, Measurement m) {
  record.measurements.push_back(std::move(m));
  auto& ms = record.measurements;
  if (ms.size() > k_max_measurements) ms.erase(ms.begin(), ms.end() - static_cast<long>(k_max_measurements));
}

}  // namespace sluice::state
