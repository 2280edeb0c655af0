// What every simulated controller shares: the Store it writes, the index it
// reads, the queue it schedules work on, the clock, and the kubelet's record
// of when each pod became ready (minReadySeconds needs sub-second precision
// the RFC 3339 timestamps in pod conditions do not carry).
#pragma once

#include <kubesim/events.hpp>
#include <kubesim/object_index.hpp>
#include <kubesim/sim_config.hpp>
#include <kubesim/store.hpp>
#include <kubesim/work_queue.hpp>
#include <sluice/util/clock.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace kubesim {

// Work kinds on the shared queue; a key is "<kind>:<ns>/<name>".
inline constexpr const char* k_work_deployment = "deployment";
inline constexpr const char* k_work_replicaset = "replicaset";
inline constexpr const char* k_work_pod = "pod";
inline constexpr const char* k_work_service = "service";
inline constexpr const char* k_work_gc = "gc";  // "gc:<resource>:<ns>/<name>"

std::string work_key(const std::string& kind, const std::string& ns, const std::string& name);

// The newest resourceVersion the index has seen. The Store delivers events in
// order but possibly on another writer's thread, after our write returned; a
// controller waits for its own write to reach the index before reading it
// again (what client-go's "expectations" achieve for the real controllers).
class ObservedVersion {
 public:
  void saw(std::uint64_t resource_version);
  // False when `timeout` passed first.
  bool wait_for(std::uint64_t resource_version, sluice::util::Duration timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::uint64_t seen_ = 0;
};

class ReadinessLog {
 public:
  void record(const std::string& uid, sluice::util::TimePoint since);
  std::optional<sluice::util::TimePoint> since(const std::string& uid) const;
  void forget(const std::string& uid);

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, sluice::util::TimePoint> since_;
};

struct ControllerContext {
  Store& store;
  SimConfig& config;
  ObjectIndex& index;
  WorkQueue& queue;
  const sluice::util::Clock& clock;
  ReadinessLog& readiness;
  ObservedVersion& observed;
  EventRecorder& events;

  // Store writes that return once the index has seen their effect.
  Result<Json> create(const std::string& resource, Json object) const;
  Result<Json> update(const std::string& resource, Json object, bool status_only = false) const;
  Result<Json> remove(const std::string& resource, const std::string& ns, const std::string& name) const;
  void enqueue(const std::string& kind, const std::string& ns, const std::string& name,
               sluice::util::Duration delay) const {
    queue.add_after(work_key(kind, ns, name), delay);
  }
  sluice::util::Duration reaction() const {
    return sluice::util::Duration(config.timing().controller_delay_ms);
  }
  std::string now_text() const;
};

// client-go's RetryOnConflict: re-read, re-apply `change`, write; up to 5
// tries. `change` returns false when the fresh object needs no write (then
// the result is nullopt). not_found passes through.
sluice::util::Result<std::optional<Json>> update_with_retry(const ControllerContext& ctx,
                                                            const std::string& resource,
                                                            const std::string& ns, const std::string& name,
                                                            const std::function<bool(Json&)>& change,
                                                            bool status_only);

// What DELETE on a pod does: set deletionTimestamp (the kubelet removes the
// pod after the simulated grace period). Already deleting or absent is fine.
sluice::util::Status delete_pod_gracefully(const ControllerContext& ctx, const std::string& ns,
                                           const std::string& name);

// Pod readiness as podutil.IsPodReady sees it, and the pods controllers count.
bool pod_ready(const Json& pod);
bool pod_active(const Json& pod);  // not terminating, not Succeeded/Failed

}  // namespace kubesim
