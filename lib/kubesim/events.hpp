// The event recorder the simulated controllers, scheduler and kubelet share:
// it writes core/v1 Events about objects as client-go's recorders do, folds a
// repeat of the same event into a higher count, and bounds how many it keeps.
#pragma once

#include <kubesim/store.hpp>
#include <sluice/util/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kubesim {

inline constexpr std::size_t k_default_event_limit = 2000;

// Who records. The legacy recorder (controllers, kubelet) fills `source`,
// firstTimestamp/lastTimestamp and count; an events.k8s.io recorder (the
// scheduler) fills eventTime, action and reportingInstance and leaves them empty.
struct EventSource {
  std::string component;  // "deployment-controller", "kubelet", "default-scheduler"
  std::string host = "";  // the kubelet's node name; empty for controllers
  bool events_api = false;
  std::string action = "";  // events.k8s.io only, e.g. "Binding"
};

inline const EventSource k_deployment_controller{"deployment-controller"};
inline const EventSource k_replicaset_controller{"replicaset-controller"};
inline const EventSource k_scheduler{"default-scheduler", "", true, "Binding"};

struct EventNote {
  std::string type;    // Normal or Warning
  std::string reason;  // ScalingReplicaSet, SuccessfulCreate, Pulled...
  std::string message;
  std::string field_path = "";  // "spec.containers{web}" for container events
};

// The Event client-go's recorder would write about `object` at `now` (an RFC
// 3339 time; `now_micro` with microseconds for eventTime), named `name`.
Json make_event(const Json& object, const EventSource& source, const EventNote& note, const std::string& name,
                const std::string& now, const std::string& now_micro);

class EventRecorder {
 public:
  // Keeps at most `limit` of its own events, deleting the oldest first (the
  // apiserver drops events after its --event-ttl of one hour; a count bounds
  // a long run just as well without a timer).
  EventRecorder(Store& store, const sluice::util::Clock& clock, std::size_t limit = k_default_event_limit);

  // Records the event, or, when the same source already recorded the same
  // note about the same object, raises that event's count and lastTimestamp
  // (the legacy EventCorrelator's aggregation), or for an events.k8s.io
  // source extends its series within 6 minutes (client-go tools/events). Failures are dropped, as the
  // real recorder drops them: events are best effort.
  void record(const Json& object, const EventSource& source, const EventNote& note);

 private:
  struct Kept {
    std::string ns;
    std::string name;
    std::string key;
  };
  bool bump(const std::string& ns, const std::string& name, const std::string& now);
  bool extend_series(const std::string& ns, const std::string& name, sluice::util::WallTime now);
  void evict_oldest();
  std::string next_name(const std::string& object_name);

  Store& store_;
  const sluice::util::Clock& clock_;
  std::size_t limit_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> by_key_;  // aggregation key -> event name
  std::deque<Kept> kept_;                                // oldest first
  std::uint64_t last_nanos_ = 0;
};

}  // namespace kubesim
