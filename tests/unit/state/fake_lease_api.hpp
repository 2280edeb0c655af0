// An in-memory API server for one namespace's Leases, as strict as a real
// one: an update must carry the current resourceVersion (422 without one,
// 409 when stale), create answers 409 AlreadyExists, delete honours a
// resourceVersion precondition. Lists and watches serve
// the WatchHub. `before_write` runs before each write is judged, so a test
// can play another process or a slow answer. Records every request.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/kube/errors.hpp>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::test {

using kube::Json;

class FakeLeaseApi final : public kube::Client {
 public:
  std::function<void(const kube::ApiRequest&)> before_write;
  bool answer_without_rv = false;  // a broken server (or proxy) that drops metadata.resourceVersion

  kube::Result<Json> request(const kube::ApiRequest& r, const kube::CancelToken* cancel) override {
    if (cancel != nullptr && cancel->cancelled())
      return util::make_error(util::ErrorKind::cancelled, "cancelled");
    if (r.method != "GET" && before_write) before_write(r);
    std::lock_guard lock(mutex_);
    requests_.push_back(r);
    if (r.method == "GET" && r.path.find("/leases/") == std::string::npos) return list_locked();
    if (r.method == "GET" && !lease_.is_object()) return status(404, "NotFound");
    if (r.method == "GET") {
      Json answer = lease_;
      if (answer_without_rv) answer["metadata"].erase("resourceVersion");
      return answer;
    }
    Json body = Json::parse(r.body);
    if (r.method == "DELETE") return delete_locked(body);
    if (r.method == "POST") return lease_.is_object() ? status(409, "AlreadyExists") : store_locked(body);
    std::string rv = body["metadata"].value("resourceVersion", "");
    if (rv.empty()) return status(422, "Invalid");
    if (!lease_.is_object()) return status(404, "NotFound");
    if (rv != lease_["metadata"]["resourceVersion"]) return status(409, "Conflict");
    return store_locked(body);
  }

  util::Status watch_stream(const kube::ApiRequest& r,
                            const std::function<bool(const kube::WatchEvent&)>& on_event,
                            const kube::CancelToken* cancel) override {
    std::size_t seen = 0;
    for (const auto& [k, v] : r.query)
      if (k == "resourceVersion") seen = v.empty() ? 0 : std::stoul(v);
    std::unique_lock lock(mutex_);
    while (cancel == nullptr || !cancel->cancelled()) {
      while (seen < versions_.size()) {
        bool deleted = std::find(deleted_.begin(), deleted_.end(), seen) != deleted_.end();
        Json object = versions_[seen++];
        lock.unlock();
        bool more = on_event({deleted ? "DELETED" : "MODIFIED", object});
        lock.lock();
        if (!more) return {};
      }
      changed_.wait_for(lock, std::chrono::milliseconds(5));
    }
    return util::make_error(util::ErrorKind::cancelled, "watch cancelled");
  }

  std::uint64_t requests_made() const override {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

  // Another process writes the lease (as holder `holder`), as if through the API.
  void write_as(const std::string& holder) {
    std::lock_guard lock(mutex_);
    Json next =
        lease_.is_object() ? lease_ : Json{{"metadata", {{"name", "sluice-web"}}}, {"spec", Json::object()}};
    next["spec"]["holderIdentity"] = holder;
    next["spec"]["leaseDurationSeconds"] = 1;
    store_locked(next);
  }
  // The holder releases as sluice does: the Lease is deleted.
  void remove_as_holder() {
    std::lock_guard lock(mutex_);
    (void)delete_locked(Json::object());
  }
  Json lease() const {
    std::lock_guard lock(mutex_);
    return lease_;
  }
  std::vector<kube::ApiRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int count(const std::string& method) const {
    int n = 0;
    // The Lease's own requests (a create goes to the collection); not the hub's lists.
    for (const auto& r : requests())
      n += r.method == method && (r.path.find("/leases/") != std::string::npos || r.method == "POST");
    return n;
  }

 private:
  static kube::Result<Json> status(int code, const std::string& reason) {
    http::Response response;
    response.status = code;
    response.body = Json{{"kind", "Status"}, {"code", code}, {"reason", reason}, {"message", reason}}.dump();
    return kube::error_from_response(response);
  }
  Json store_locked(Json object) {
    versions_.push_back(Json());  // versions_[i] has resourceVersion i + 1
    object["metadata"]["resourceVersion"] = std::to_string(versions_.size());
    versions_.back() = object;
    lease_ = object;
    changed_.notify_all();
    return object;
  }
  // As the API server: a stale preconditions.resourceVersion is a 409 Conflict.
  kube::Result<Json> delete_locked(const Json& options) {
    if (!lease_.is_object()) return status(404, "NotFound");
    std::string rv = options.value("/preconditions/resourceVersion"_json_pointer, std::string());
    if (!rv.empty() && rv != lease_["metadata"]["resourceVersion"]) return status(409, "Conflict");
    Json gone = lease_;
    lease_ = Json();
    versions_.push_back(Json());  // the watch's DELETED event: the last state at a new resourceVersion
    gone["metadata"]["resourceVersion"] = std::to_string(versions_.size());
    versions_.back() = gone;
    deleted_.push_back(versions_.size() - 1);
    changed_.notify_all();
    return gone;
  }
  Json list_locked() const {
    Json items = lease_.is_object() ? Json::array({lease_}) : Json::array();
    return Json{{"metadata", {{"resourceVersion", std::to_string(versions_.size())}}}, {"items", items}};
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Json lease_;
  std::vector<Json> versions_;
  std::vector<std::size_t> deleted_;  // indexes into versions_ that are deletions
  std::vector<kube::ApiRequest> requests_;
};

}  // namespace sluice::test
