// Watching without missing anything: list, then watch from the list's
// resourceVersion, resume from the last seen RV (BOOKMARKs included) when a
// stream ends, re-list on 410 Gone. WatchHub shares one such stream per
// (resource, namespace, scope) between every wait_until and subscriber.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::kube {

struct ListWatchHandlers {
  // After every (re-)list: the complete current state and its RV.
  std::function<void(const std::vector<Json>& items, const std::string& resource_version)> on_sync;
  // Each ADDED / MODIFIED / DELETED event, in order, never one the sync already covered.
  std::function<void(const WatchEvent& event)> on_event;
  // ERROR events (other than 410, which re-lists) and transient failures, before retrying.
  std::function<void(const util::Error& error)> on_error;
};

struct ListWatchOptions {
  std::string label_selector;
  std::string field_selector;
  util::Duration initial_backoff{100};  // after a failed list or watch request, doubling
  util::Duration max_backoff{5000};
  // A complete state already known, as of `seed_version` (a named object
  // this process just wrote): the first list is skipped and the watch starts
  // from that version. Empty: list first.
  std::vector<Json> seed_items;
  std::string seed_version;
  // Set: (re-)lists are one watch that begins with the state (the WatchList
  // feature) while it holds true. A server that refuses or ignores that
  // clears it, and every stream sharing it lists and watches from then on.
  std::shared_ptr<std::atomic<bool>> watch_list;
  // Watch events' objects keep only these fields (null: whole); lists are whole.
  std::shared_ptr<const FieldMask> fields;
};

// Runs list-then-watch until `cancel` fires (returns cancelled) or a
// non-transient error (unauthorized, forbidden, not_found, invalid) stops it.
util::Status run_list_watch(Client& client, const ResourceRef& ref, const std::string& ns,
                            const ListWatchOptions& options, const ListWatchHandlers& handlers,
                            util::Clock& clock, const util::CancelToken& cancel);

// What one shared stream asks the server for: every object of the kind in
// the namespace (empty), or only what a label and/or field selector picks.
// Each distinct scope is a stream of its own, so a process watching its
// rollout's objects does no work for the rest of a busy namespace.
struct WatchScope {
  std::string label_selector;
  std::string field_selector;
  // Only these fields of each object are kept (null: whole). The objects of
  // such a stream must never be written back: they are not whole.
  std::shared_ptr<const FieldMask> fields;

  static WatchScope all() { return {}; }
  static WatchScope named(const std::string& name) { return {"", "metadata.name=" + name, nullptr}; }
  static WatchScope labelled(std::string selector) { return {std::move(selector), "", nullptr}; }
  WatchScope keeping(std::shared_ptr<const FieldMask> mask) const {
    WatchScope out = *this;
    out.fields = std::move(mask);
    return out;
  }
  std::string key() const {
    return label_selector + "|" + field_selector + (fields ? "|" + fields->name() : "");
  }
};

// What a wait is about: one object by name, or every object matching a label
// selector (empty selector: all objects of the kind in the namespace), and
// the stream it is read from: by name, a stream of that object alone; by
// selector, the whole namespace unless `within` narrows it (to a superset
// of what the selector picks).
struct WaitTarget {
  std::string name;
  std::string label_selector;
  WatchScope scope;

  static WaitTarget object(std::string name) {
    WatchScope scope = WatchScope::named(name);
    return {std::move(name), "", std::move(scope)};
  }
  static WaitTarget selector(std::string selector) { return {"", std::move(selector), {}}; }
  WaitTarget within(WatchScope narrower) const {
    WaitTarget out = *this;
    out.scope = std::move(narrower);
    return out;
  }
};

// A predicate's answer: keep waiting, satisfied, or failed (stop, with why).
struct WaitDecision {
  enum class Outcome { pending, done, failed } outcome = Outcome::pending;
  std::string message;

  static WaitDecision pending() { return {}; }
  static WaitDecision done(std::string message = "") { return {Outcome::done, std::move(message)}; }
  static WaitDecision failed(std::string message) { return {Outcome::failed, std::move(message)}; }
};

// Called with the objects the target currently selects (for a name: zero or
// one), every time one of them changes. Must be quick and must not block.
using WaitPredicate = std::function<WaitDecision(const std::vector<Json>& objects)>;

// Called with each cached object a target selects, under the cache's lock
// (so: quick, no calls back into the hub). Return false to stop visiting.
using ObjectVisitor = std::function<bool(const Json& object)>;

struct WaitResult {
  bool failed = false;        // the predicate said failed
  std::string message;        // the predicate's message
  std::vector<Json> objects;  // the objects it judged
};

// Shared watch caches keyed by (resource, namespace); each runs one
// list-watch on a background thread from its first use until the hub is destroyed.
class WatchHub {
 public:
  explicit WatchHub(Client& client, util::Clock& clock = util::system_clock(), ListWatchOptions options = {});
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  // Returns as soon as `predicate` holds (or fails) for the target. Errors:
  // timeout at `deadline` (on the hub's clock), cancelled, or the watch's
  // non-transient error (e.g. forbidden).
  Result<WaitResult> wait_until(const ResourceRef& ref, const std::string& ns, const WaitTarget& target,
                                const WaitPredicate& predicate, util::TimePoint deadline,
                                const util::CancelToken* cancel = nullptr);
  // Convenience: waits until `ready(object)` holds for the named object (absent never satisfies).
  Result<WaitResult> wait_until(const ResourceRef& ref, const std::string& ns, const std::string& name,
                                const std::function<bool(const Json&)>& ready, util::TimePoint deadline,
                                const util::CancelToken* cancel = nullptr);

  // The cached objects the target selects, after the first list completed.
  Result<std::vector<Json>> snapshot(const ResourceRef& ref, const std::string& ns, const WaitTarget& target,
                                     util::TimePoint deadline, const util::CancelToken* cancel = nullptr);

  // Visits the cached objects the target selects, without copying them,
  // after the first list completed; the watch's non-transient error instead
  // once the stream stopped for good (it is not re-opened here).
  util::Status visit(const ResourceRef& ref, const std::string& ns, const WaitTarget& target,
                     const ObjectVisitor& visitor, util::TimePoint deadline,
                     const util::CancelToken* cancel = nullptr);

  // Every ADDED/MODIFIED/DELETED of the kind in `ns`, from the shared stream
  // (called on the watch thread; must not block), and one ERROR (object: a
  // Status with the message) if the stream stops for good, e.g. forbidden.
  // Returns an id for unsubscribe.
  int subscribe(const ResourceRef& ref, const std::string& ns,
                std::function<void(const WatchEvent&)> on_event, const WatchScope& scope = {});
  void unsubscribe(int id);

  // Starts the stream of `object` alone (WatchScope::named) from the object
  // itself, as a write's answer returned it, instead of listing: one request
  // fewer. Nothing happens when that stream already runs.
  void seed_named(const ResourceRef& ref, const std::string& ns, const Json& object);

  // Watch streams started so far (one per (resource, namespace, scope)).
  std::size_t streams() const;

 private:
  class Cache;
  std::shared_ptr<Cache> cache_for(const ResourceRef& ref, const std::string& ns, const WatchScope& scope,
                                   bool retry_failed = true, const Json* seed = nullptr);

  Client& client_;
  util::Clock& clock_;
  ListWatchOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Cache>> caches_;
  std::map<int, std::shared_ptr<Cache>> subscriptions_;
  int next_id_ = 1;
};

}  // namespace sluice::kube
