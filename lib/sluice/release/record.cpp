#include <sluice/release/record.hpp>

#include <sluice/kube/resources.hpp>

#include <array>
#include <cstddef>
#include <utility>

namespace sluice::release {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<TargetOutcome, const char*>, 6> k_outcomes{{
    {TargetOutcome::pending, "Pending"},
    {TargetOutcome::running, "Running"},
    {TargetOutcome::done, "Done"},
    {TargetOutcome::failed, "Failed"},
    {TargetOutcome::stopped, "Stopped"},
    {TargetOutcome::rolled_back, "RolledBack"},
}};

json target_json(const TargetRecord& t) {
  return {{"wave", t.wave},
          {"context", t.context},
          {"namespace", t.ns},
          {"deployment", t.deployment},
          {"rollout", t.rollout},
          {"strategy", t.strategy},
          {"outcome", to_string(t.outcome)},
          {"exitCode", t.exit_code},
          {"message", t.message},
          {"unchanged", t.unchanged}};
}

util::Result<TargetRecord> target_from_json(const json& j) {
  TargetRecord t;
  t.wave = j.value("wave", "");
  t.context = j.value("context", "");
  t.ns = j.value("namespace", "");
  t.deployment = j.value("deployment", "");
  t.rollout = j.value("rollout", "");
  t.strategy = j.value("strategy", "");
  auto outcome = parse_target_outcome(j.value("outcome", ""));
  if (!outcome)
    return util::make_error(util::ErrorKind::invalid, "unknown target outcome " + j.value("outcome", ""));
  t.outcome = *outcome;
  t.exit_code = j.value("exitCode", 0);
  t.message = j.value("message", "");
  t.unchanged = j.value("unchanged", false);
  return t;
}

}  // namespace

const char* to_string(TargetOutcome outcome) {
  for (const auto& [value, name] : k_outcomes)
    if (value == outcome) return name;
  return "Pending";
}

std::optional<TargetOutcome> parse_target_outcome(const std::string& text) {
  for (const auto& [value, name] : k_outcomes)
    if (text == name) return value;
  return std::nullopt;
}

json to_json(const ReleaseRecord& r) {
  json targets = json::array();
  for (const auto& t : r.targets) targets.push_back(target_json(t));
  json history = json::array();
  for (const auto& past : r.history) history.push_back(to_json(past));
  return {{"format", 1},
          {"name", r.name},
          {"sourceHash", r.source_hash},
          {"image", r.image},
          {"digest", r.digest},
          {"onFailure", r.on_failure},
          {"phase", r.phase},
          {"message", r.message},
          {"startedAt", r.started_at},
          {"updatedAt", r.updated_at},
          {"targets", targets},
          {"history", history}};
}

util::Result<ReleaseRecord> release_record_from_json(const json& j) {
  if (!j.is_object())
    return util::make_error(util::ErrorKind::invalid, "the release record is not a JSON object");
  ReleaseRecord r;
  r.name = j.value("name", "");
  r.source_hash = j.value("sourceHash", "");
  r.image = j.value("image", "");
  r.digest = j.value("digest", "");
  r.on_failure = j.value("onFailure", "");
  r.phase = j.value("phase", "Progressing");
  r.message = j.value("message", "");
  r.started_at = j.value("startedAt", "");
  r.updated_at = j.value("updatedAt", "");
  for (const auto& item : j.value("targets", json::array())) {
    auto target = target_from_json(item);
    if (!target) return target.error();
    r.targets.push_back(std::move(*target));
  }
  // Records written before releases kept a history have none.
  for (const auto& item : j.value("history", json::array())) {
    auto past = release_record_from_json(item);
    if (!past) return past.error();
    past->history.clear();
    r.history.push_back(std::move(*past));
  }
  return r;
}

ReleaseRecord with_history_of(ReleaseRecord fresh, const ReleaseRecord& previous) {
  fresh.history = previous.history;
  ReleaseRecord last = previous;
  last.history.clear();
  fresh.history.push_back(std::move(last));
  if (fresh.history.size() > k_release_history_kept) {
    fresh.history.erase(fresh.history.begin(),
                        fresh.history.end() - static_cast<std::ptrdiff_t>(k_release_history_kept));
  }
  return fresh;
}

util::Result<std::optional<ReleaseRecord>> ReleaseStore::load(const util::CancelToken* cancel) {
  auto got = client_->get(kube::k_configmaps, ns_, object_name(name_), cancel);
  if (!got) {
    if (got.error().kind != util::ErrorKind::not_found)
      return got.error().with_context("reading the release record");
    resource_version_.clear();
    return std::optional<ReleaseRecord>();
  }
  resource_version_ = got->value("/metadata/resourceVersion"_json_pointer, "");
  data_ = got->value("data", json::object());
  // The lock's rollout record may be all there is yet: not applied before.
  if (!data_.is_object() || !data_.contains("release")) return std::optional<ReleaseRecord>();
  json data = data_.value("release", "");
  auto parsed = json::parse(data.get<std::string>(), nullptr, false);
  auto record = release_record_from_json(parsed);
  if (!record) return record.error().with_context("the release record " + ns_ + "/" + object_name(name_));
  return std::optional<ReleaseRecord>(std::move(*record));
}

util::Status ReleaseStore::save(const ReleaseRecord& record) {
  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata",
              {{"name", object_name(name_)}, {"namespace", ns_}, {"labels", {{"sluice.io/release", name_}}}}},
             {"data", data_.is_object() ? data_ : json::object()}};
  // Only this key is the release's: the others are the lock's rollout record.
  cm["data"]["release"] = to_json(record).dump();
  if (!resource_version_.empty()) cm["metadata"]["resourceVersion"] = resource_version_;
  auto written = resource_version_.empty() ? client_->create(kube::k_configmaps, ns_, cm)
                                           : client_->update(kube::k_configmaps, ns_, cm);
  if (!written) return written.error().with_context("writing the release record");
  resource_version_ = written->value("/metadata/resourceVersion"_json_pointer, "");
  data_ = written->value("data", json::object());
  return {};
}

}  // namespace sluice::release
