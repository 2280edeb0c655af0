#include <sluice/state/record_store.hpp>
#include <sluice/util/rfc3339.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/state/guarded_write.hpp>

#include <algorithm>
#include <utility>

namespace sluice::state {

using util::ErrorKind;

RecordStore::RecordStore(kube::Client& client, util::Clock& clock, std::string ns, std::string rollout)
    : client_(&client), clock_(clock), ns_(std::move(ns)), rollout_(std::move(rollout)) {}

util::Result<std::optional<Record>> record_from_configmap(const Json& cm) {
  std::string text = cm.value("/data/rollout"_json_pointer, std::string());
  if (text.empty()) return std::optional<Record>();
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return util::make_error(ErrorKind::invalid, "rollout record is not valid JSON");
  auto r = record_from_json(j);
  if (!r) return r.error();
  return std::optional<Record>(std::move(*r));
}

util::Result<std::vector<HistoryEntry>> history_from_configmap(const Json& cm) {
  std::vector<HistoryEntry> out;
  std::string text = cm.value("/data/history"_json_pointer, std::string());
  if (text.empty()) return out;
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_array()) return util::make_error(ErrorKind::invalid, "rollout history is not a JSON array");
  for (const auto& item : j) {
    auto e = history_entry_from_json(item);
    if (!e) return e.error();
    out.push_back(std::move(*e));
  }
  return out;
}

util::Result<Json> RecordStore::read_object() {
  cached_.reset();
  auto got = client_->get(kube::k_configmaps, ns_, object_name(rollout_));
  absent_ = !got && got.error().kind == ErrorKind::not_found;
  if (!got) return got.error().with_context("reading rollout record " + object_name(rollout_));
  cached_ = *got;
  return got;
}

util::Result<std::optional<Record>> RecordStore::load() {
  if (std::exchange(trusted_, false) && has_read()) {
    if (absent_) return std::optional<Record>();
    return record_from_configmap(*cached_);
  }
  auto cm = read_object();
  if (!cm) {
    if (cm.error().kind == ErrorKind::not_found) return std::optional<Record>();
    return cm.error();
  }
  return record_from_configmap(*cm);
}

std::string RecordStore::resource_version() const {
  return cached_ ? cached_->value("/metadata/resourceVersion"_json_pointer, std::string()) : std::string();
}

util::Result<std::vector<HistoryEntry>> RecordStore::history() {
  auto cm = read_object();
  if (!cm) {
    if (cm.error().kind == ErrorKind::not_found) return std::vector<HistoryEntry>();
    return cm.error();
  }
  return history_from_configmap(*cm);
}

namespace {

Json history_json(const std::vector<HistoryEntry>& history) {
  Json arr = Json::array();
  for (const auto& e : history) arr.push_back(to_json(e));
  return arr;
}

Json new_configmap(const std::string& ns, const std::string& name, const std::string& rollout) {
  return Json{{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata",
               {{"name", name},
                {"namespace", ns},
                {"labels", {{"app.kubernetes.io/managed-by", "sluice"}, {"sluice.io/rollout", rollout}}}}},
              {"data", Json::object()}};
}

// Requests another process recorded since we last wrote survive our write.
void merge_requests(Record& ours, const Json& server_cm) {
  auto theirs = record_from_configmap(server_cm);
  if (!theirs || !theirs->has_value() || (*theirs)->rollout_id != ours.rollout_id) return;
  if ((*theirs)->abort_requested && !ours.abort_requested) {
    ours.abort_requested = true;
    ours.requested_by = (*theirs)->requested_by;
  }
  ours.request_seq = std::max(ours.request_seq, (*theirs)->request_seq);
}

}  // namespace

util::Status RecordStore::write(Record& record, bool append_to_history) {
  record.updated_at = util::format_rfc3339(clock_.wall_now());
  return retry_guarded_write(
      [&]() -> util::Status {
        // The last object we read or wrote carries the resourceVersion to
        // write against; a 409 drops it so the retry re-reads.
        auto cm = cached_   ? util::Result<Json>(*cached_)
                  : absent_ ? util::Result<Json>(util::make_error(ErrorKind::not_found, "no record yet"))
                            : read_object();
        cached_.reset();
        absent_ = false;
        bool exists = cm.ok();
        if (!exists && cm.error().kind != ErrorKind::not_found) return cm.error();
        Json body = exists ? *cm : new_configmap(ns_, object_name(rollout_), rollout_);
        if (exists) merge_requests(record, body);
        if (append_to_history) {
          auto history = history_from_configmap(body);
          std::vector<HistoryEntry> entries = history ? *history : std::vector<HistoryEntry>();
          append_history(entries, history_entry(record));
          body["data"]["history"] = history_json(entries).dump();
        }
        body["data"]["rollout"] = to_json(record).dump();
        auto written = exists ? client_->update(kube::k_configmaps, ns_, body)
                              : client_->create(kube::k_configmaps, ns_, body);
        if (!written) {
          // A create racing another create is a conflict to re-read, like a stale update.
          if (written.error().kind == ErrorKind::already_exists)
            return util::make_error(ErrorKind::conflict, written.error().message);
          return written.error().with_context("writing rollout record " + object_name(rollout_));
        }
        cached_ = std::move(*written);
        return {};
      },
      clock_);
}

util::Result<bool> RecordStore::request(Request what, const std::string& by) {
  bool asked = false;
  auto done = retry_guarded_write(
      [&]() -> util::Status {
        asked = false;
        // What load() just read, if anything; a 409 re-reads.
        auto cm = cached_ ? util::Result<Json>(*cached_) : read_object();
        cached_.reset();
        if (!cm) {
          if (cm.error().kind == ErrorKind::not_found) return {};
          return cm.error();
        }
        auto rec = record_from_configmap(*cm);
        if (!rec) return rec.error();
        if (!*rec || is_terminal((*rec)->phase)) return {};
        Record r = std::move(**rec);
        (what == Request::abort ? r.abort_requested : r.promote_requested) = true;
        r.requested_by = by;
        ++r.request_seq;
        Json body = *cm;
        body["data"]["rollout"] = to_json(r).dump();
        auto written = client_->update(kube::k_configmaps, ns_, body);
        if (!written) return written.error().with_context("writing rollout record " + object_name(rollout_));
        cached_.reset();  // the holder's next write re-reads and keeps the request
        asked = true;
        return {};
      },
      clock_);
  if (!done) return done.error();
  return asked;
}

util::Status RecordStore::save(Record& record) {
  return write(record, false);
}
util::Status RecordStore::save_finished(Record& record) {
  return write(record, true);
}

}  // namespace sluice::state
