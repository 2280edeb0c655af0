#include <kubesim/events.hpp>

#include <kubesim/kube_object.hpp>

#include <sluice/util/rfc3339.hpp>

#include <cstdio>

namespace kubesim {

namespace {

Json involved_object(const Json& object, const std::string& field_path) {
  Json ref = {{"kind", object.value("kind", "")},
              {"namespace", namespace_of(object)},
              {"name", name_of(object)},
              {"uid", uid_of(object)},
              {"apiVersion", object.value("apiVersion", "")},
              {"resourceVersion", string_at(object, "/metadata/resourceVersion")}};
  if (!field_path.empty()) ref["fieldPath"] = field_path;
  return ref;
}

// EventCorrelator's getEventKey: the fields that make two events "the same".
std::string aggregation_key(const Json& object, const EventSource& source, const EventNote& note) {
  return source.component + "\n" + source.host + "\n" + object.value("kind", "") + "\n" +
         namespace_of(object) + "\n" + name_of(object) + "\n" + uid_of(object) + "\n" + note.field_path +
         "\n" + note.type + "\n" + note.reason + "\n" + note.message;
}

}  // namespace

Json make_event(const Json& object, const EventSource& source, const EventNote& note, const std::string& name,
                const std::string& now, const std::string& now_micro) {
  Json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", name}, {"namespace", namespace_of(object)}}},
                {"involvedObject", involved_object(object, note.field_path)},
                {"reason", note.reason},
                {"message", note.message},
                {"type", note.type},
                {"reportingComponent", source.component}};
  if (source.events_api) {
    // events.k8s.io/v1 as the core view shows it: no source, count or first/last timestamps.
    event["source"] = Json::object();
    event["eventTime"] = now_micro;
    event["action"] = source.action;
    event["reportingInstance"] = source.component + "-" + (source.host.empty() ? "kubesim" : source.host);
    event["firstTimestamp"] = nullptr;
    event["lastTimestamp"] = nullptr;
    return event;
  }
  event["source"] = {{"component", source.component}};
  if (!source.host.empty()) event["source"]["host"] = source.host;
  event["reportingInstance"] = source.host;
  event["firstTimestamp"] = now;
  event["lastTimestamp"] = now;
  event["count"] = 1;
  event["eventTime"] = nullptr;
  return event;
}

EventRecorder::EventRecorder(Store& store, const sluice::util::Clock& clock, std::size_t limit)
    : store_(store), clock_(clock), limit_(limit == 0 ? 1 : limit) {}

std::string EventRecorder::next_name(const std::string& object_name) {
  // client-go names an event "<object>.<UnixNano in hex>"; strictly increasing here, so never taken twice.
  auto nanos = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.wall_now().time_since_epoch()).count());
  last_nanos_ = nanos > last_nanos_ ? nanos : last_nanos_ + 1;
  char hex[24];
  std::snprintf(hex, sizeof(hex), "%llx", static_cast<unsigned long long>(last_nanos_));
  return object_name + "." + hex;
}

bool EventRecorder::bump(const std::string& ns, const std::string& name, const std::string& now) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto stored = store_.get("events", ns, name);
    if (!stored) return false;  // deleted meanwhile: record a fresh one
    Json event = std::move(*stored);
    event["count"] = int_at(event, "/count", 1) + 1;
    event["lastTimestamp"] = now;
    if (store_.update("events", std::move(event))) return true;
  }
  return true;  // contended: losing one count is what the real recorder risks too
}

// client-go tools/events (event_broadcaster.go): an isomorphic event within
// finishTime (6 minutes) of its series' last observation joins the series
// (count 2 on the first repeat, then +1, lastObservedTime now); after that a
// new Event starts.
bool EventRecorder::extend_series(const std::string& ns, const std::string& name,
                                  sluice::util::WallTime now) {
  constexpr auto k_finish_time = std::chrono::minutes(6);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto stored = store_.get("events", ns, name);
    if (!stored) return false;
    Json event = std::move(*stored);
    const std::string last = string_at(event, "/series/lastObservedTime").empty()
                                 ? string_at(event, "/eventTime")
                                 : string_at(event, "/series/lastObservedTime");
    auto observed = sluice::util::parse_rfc3339(last);
    if (!observed.ok() || now - *observed > k_finish_time) return false;
    const long long count = event.contains("series") ? int_at(event, "/series/count", 1) + 1 : 2;
    event["series"] = {{"count", count}, {"lastObservedTime", sluice::util::format_rfc3339_micro(now)}};
    if (store_.update("events", std::move(event))) return true;
  }
  return true;  // contended: losing one count is what the real recorder risks too
}

void EventRecorder::evict_oldest() {
  Kept oldest = std::move(kept_.front());
  kept_.pop_front();
  auto found = by_key_.find(oldest.key);
  if (found != by_key_.end() && found->second == oldest.name) by_key_.erase(found);
  (void)store_.remove("events", oldest.ns, oldest.name);
}

void EventRecorder::record(const Json& object, const EventSource& source, const EventNote& note) {
  const std::string ns = namespace_of(object).empty() ? "default" : namespace_of(object);
  const std::string now = rfc3339(clock_.wall_now());
  const std::string key = aggregation_key(object, source, note);
  std::lock_guard lock(mutex_);
  auto found = by_key_.find(key);
  if (found != by_key_.end() && !source.events_api && bump(ns, found->second, now)) return;
  if (found != by_key_.end() && source.events_api && extend_series(ns, found->second, clock_.wall_now()))
    return;
  Json event = make_event(object, source, note, next_name(name_of(object)), now,
                          sluice::util::format_rfc3339_micro(clock_.wall_now()));
  event["metadata"]["namespace"] = ns;
  auto created = store_.create("events", std::move(event));
  if (!created) return;
  by_key_[key] = name_of(*created);
  kept_.push_back(Kept{ns, name_of(*created), key});
  while (kept_.size() > limit_) evict_oldest();
}

}  // namespace kubesim
