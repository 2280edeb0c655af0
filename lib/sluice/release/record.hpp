// The release record: one ConfigMap `sluice-release.<name>` in the context
// and namespace the Release names (record:), saying which targets are done,
// so that a killed apply resumes from any machine without redoing them. Each
// target's own rollout record stays beside the target, as for a plan.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sluice::release {

// Where one target stands. `done` targets are skipped by a resumed apply.
enum class TargetOutcome { pending, running, done, failed, stopped, rolled_back };
const char* to_string(TargetOutcome outcome);
std::optional<TargetOutcome> parse_target_outcome(const std::string& text);

struct TargetRecord {
  std::string wave;
  std::string context;
  std::string ns;
  std::string deployment;
  std::string rollout;  // the plan's name: its rollout record is sluice-<rollout> in ns
  std::string strategy;
  TargetOutcome outcome = TargetOutcome::pending;
  int exit_code = 0;
  std::string message;
  // It already ran the release's digest before this release: a rollback of
  // the release leaves it alone (its previous version is not this release's).
  bool unchanged = false;
};

// Progressing while an apply runs or was killed; then Succeeded, RolledBack,
// Held (onFailure: hold) or Failed (a rollback did not finish).
struct ReleaseRecord {
  std::string name;
  std::string source_hash;  // the release file's: a resume needs the same file
  std::string image;
  std::string digest;  // resolved once, by the first apply
  std::string on_failure;
  std::string phase = "Progressing";
  std::string message;
  std::string started_at;
  std::string updated_at;
  std::vector<TargetRecord> targets;
  // The runs before this one (oldest first, at most k_release_history_kept),
  // each without its own history: `sluice history RELEASE` lists them.
  std::vector<ReleaseRecord> history;
};

inline constexpr std::size_t k_release_history_kept = 10;

// The record a fresh run starts from `fresh`, after `previous` (a finished
// run, or one of another file): previous's history plus previous, trimmed.
ReleaseRecord with_history_of(ReleaseRecord fresh, const ReleaseRecord& previous);

nlohmann::json to_json(const ReleaseRecord& record);
util::Result<ReleaseRecord> release_record_from_json(const nlohmann::json& json);

class ReleaseStore {
 public:
  ReleaseStore(kube::Client& client, std::string ns, std::string name)
      : client_(&client), ns_(std::move(ns)), name_(std::move(name)) {}

  // nullopt when this release was never applied here.
  util::Result<std::optional<ReleaseRecord>> load(const util::CancelToken* cancel = nullptr);
  // Creates or replaces the record (carrying the resourceVersion last seen).
  util::Status save(const ReleaseRecord& record);
  // Writes through `client` from now on (the lock's fenced client).
  void use_client(kube::Client& client) { client_ = &client; }

  static std::string object_name(const std::string& release) { return "sluice-release." + release; }
  // The lock's name as state::LeaseLock spells it (sluice-<rollout>): a dot
  // no plan name can hold keeps it apart from every rollout's lock.
  static std::string lock_rollout(const std::string& release) { return "release." + release; }

 private:
  kube::Client* client_;
  std::string ns_;
  std::string name_;
  std::string resource_version_;  // "" : not read, or absent
  // The ConfigMap's data as last read or written: it also holds the lock's
  // rollout record (state::RecordStore names the same object), kept on save.
  nlohmann::json data_ = nlohmann::json::object();
};

}  // namespace sluice::release
