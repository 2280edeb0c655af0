// Reads and writes the rollout record and its bounded history in the
// ConfigMap `sluice-<name>` beside the target (data keys "rollout" and
// "history", JSON). Writes carry the resourceVersion last read; a 409 is
// re-read and retried, keeping requests other processes wrote (abort).
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/state/record.hpp>
#include <sluice/util/clock.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sluice::state {

class RecordStore {
 public:
  RecordStore(kube::Client& client, util::Clock& clock, std::string ns, std::string rollout);

  // The current record; nullopt when this rollout was never applied here.
  // Reads it, unless trust_last_read() said the last read is still current.
  util::Result<std::optional<Record>> load();
  // Whether this store has read the record (or found none) and not written since.
  bool has_read() const { return cached_.has_value() || absent_; }
  // The next load() returns the last read without reading again: for a read
  // made before the lock when taking the lock proved nobody held it since
  // (engine/run_support.cpp with_lock). A write made since still carries
  // that read's resourceVersion, so a request written meanwhile is a 409 and merged.
  void trust_last_read() { trusted_ = has_read(); }
  // Takes a read made elsewhere as this store's last read: the record's own
  // watch, which begins with the state (nullopt: there is no record).
  void adopt_read(std::optional<Json> configmap) {
    absent_ = !configmap.has_value();
    cached_ = std::move(configmap);
  }
  // The client the next reads and writes go through (the lock's fenced one while it is held).
  void use_client(kube::Client& client) { client_ = &client; }
  util::Result<std::vector<HistoryEntry>> history();
  // The resourceVersion of the ConfigMap as last read or written; "" when it
  // does not exist (yet). A watch from it sees every later change.
  std::string resource_version() const;

  // Writes `record` as the current one (stamping updatedAt). Creates the
  // ConfigMap on first use. Flags another process set meanwhile
  // (abortRequested, promoteRequested) are merged into `record`.
  util::Status save(Record& record);
  // Writes the finished `record` and appends it to the history, in one write.
  util::Status save_finished(Record& record);

  // Asks the process running this rollout to abort it, or to go on past its
  // pause, by setting abortRequested / promoteRequested (with who asked) in
  // the record. False when there is no unfinished rollout to ask.
  enum class Request { abort, promote };
  util::Result<bool> request(Request what, const std::string& by);

  static std::string object_name(const std::string& rollout) { return "sluice-" + rollout; }
  // Every record carries these labels: one LIST with the selector finds all
  // rollouts of a namespace, each named by k_rollout_label.
  static constexpr const char* k_selector = "app.kubernetes.io/managed-by=sluice";
  static constexpr const char* k_rollout_label = "sluice.io/rollout";
  // The ConfigMap as this store last read or wrote it (nullopt after a 409):
  // a watch of the record may start from it instead of listing.
  const std::optional<Json>& last_seen() const { return cached_; }

 private:
  util::Result<Json> read_object();
  util::Status write(Record& record, bool append_to_history);

  kube::Client* client_;
  util::Clock& clock_;
  std::string ns_;
  std::string rollout_;
  std::optional<Json> cached_;
  bool absent_ = false;   // the last read found no record: the first write creates it without reading
  bool trusted_ = false;  // the next load() returns the last read
};

// Parses the ConfigMap's data (for `status` and tests).
util::Result<std::optional<Record>> record_from_configmap(const Json& configmap);
util::Result<std::vector<HistoryEntry>> history_from_configmap(const Json& configmap);

}  // namespace sluice::state
