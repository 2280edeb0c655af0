// Shared watch caches: one list-watch per (resource, namespace), many waiters.
#include <sluice/kube/watch.hpp>

#include <sluice/kube/selector.hpp>
#include <sluice/util/cancel_wakeup.hpp>

#include <condition_variable>
#include <set>
#include <thread>

namespace sluice::kube {

using util::ErrorKind;

namespace {

std::string object_key(const Json& object) {
  const Json meta = object.value("metadata", Json::object());
  return meta.value("namespace", "") + "/" + meta.value("name", "");
}

// How long a waiter sleeps between checks of its deadline and cancel token when
// nothing changes. Changes wake it at once; this only bounds how late a
// deadline on an injected clock or a cancel is noticed.
constexpr util::Duration k_wait_slice{20};

const Json& member(const Json& object, const char* key) {
  static const Json none;
  if (!object.is_object()) return none;
  auto it = object.find(key);
  return it == object.end() ? none : *it;
}

// By reference: this runs for every cached object on every change.
bool selects(const WaitTarget& target, const Json& object) {
  if (!object.is_object()) return false;
  const Json& meta = member(object, "metadata");
  if (!target.name.empty()) {
    const Json& name = member(meta, "name");
    return name.is_string() && name.get_ref<const std::string&>() == target.name;
  }
  if (target.label_selector.empty()) return true;
  return labels_match(member(meta, "labels"), target.label_selector);
}

// One wait_until in progress. Only changes to objects it selects wake it, so
// many waiters on one stream do not all re-judge every change.
struct Waiter {
  WaitTarget target;
  bool dirty = true;  // something it selects changed since it last judged
  std::condition_variable cv;
};

}  // namespace

class WatchHub::Cache {
 public:
  Cache(Client& client, ResourceRef ref, std::string ns, util::Clock& clock, const ListWatchOptions& options)
      : ref_(std::move(ref)), ns_(std::move(ns)) {
    ListWatchHandlers handlers;
    handlers.on_sync = [this](const std::vector<Json>& items, const std::string&) { replace(items); };
    handlers.on_event = [this](const WatchEvent& e) { apply(e); };
    thread_ = std::thread([this, &client, &clock, options, handlers] {
      auto status = run_list_watch(client, ref_, ns_, options, handlers, clock, stop_);
      std::lock_guard lock(mutex_);
      if (!status && status.error().kind != ErrorKind::cancelled) {
        fatal_ = status.error();
        // Subscribers sleeping on this stream would otherwise wait for a change that never comes.
        publish({"ERROR", Json{{"kind", "Status"}, {"status", "Failure"}, {"message", fatal_->message}}});
      }
      wake_all();
    });
  }
  ~Cache() {
    stop();
    thread_.join();
  }
  // Ends the watch without waiting for its thread: the hub stops them all, then joins.
  void stop() { stop_.cancel(); }

  Result<WaitResult> wait(const WaitTarget& target, const WaitPredicate& predicate, util::Clock& clock,
                          util::TimePoint deadline, const util::CancelToken* cancel);
  util::Status visit(const WaitTarget& target, const ObjectVisitor& visitor, util::Clock& clock,
                     util::TimePoint deadline, const util::CancelToken* cancel);
  int subscribe(int id, std::function<void(const WatchEvent&)> fn) {
    std::lock_guard lock(mutex_);
    subscribers_[id] = std::move(fn);
    return id;
  }
  void unsubscribe(int id) {
    std::lock_guard lock(mutex_);
    subscribers_.erase(id);
  }
  bool failed() const {
    std::lock_guard lock(mutex_);
    return fatal_.has_value();
  }

 private:
  void replace(const std::vector<Json>& items);
  void apply(const WatchEvent& event);
  void publish(const WatchEvent& event);                 // mutex_ held
  void wake_all();                                       // mutex_ held
  void wake_for(const Json& before, const Json& after);  // mutex_ held
  std::vector<Json> select(const WaitTarget& target) const;

  ResourceRef ref_;
  std::string ns_;
  mutable std::mutex mutex_;
  std::set<Waiter*> waiters_;
  std::map<std::string, Json> objects_;
  bool synced_ = false;
  std::optional<util::Error> fatal_;
  std::map<int, std::function<void(const WatchEvent&)>> subscribers_;
  util::CancelToken stop_;
  std::thread thread_;
};

void WatchHub::Cache::publish(const WatchEvent& event) {
  for (const auto& [id, fn] : subscribers_) fn(event);
}

void WatchHub::Cache::wake_all() {
  for (Waiter* w : waiters_) {
    w->dirty = true;
    w->cv.notify_one();
  }
}

// `before` matters for selectors: an object that stops matching changes the set too.
void WatchHub::Cache::wake_for(const Json& before, const Json& after) {
  for (Waiter* w : waiters_) {
    if (!selects(w->target, before) && !selects(w->target, after)) continue;
    w->dirty = true;
    w->cv.notify_one();
  }
}

// A re-list is told to subscribers as the differences it found, so they see
// every change exactly once even across a 410.
void WatchHub::Cache::replace(const std::vector<Json>& items) {
  std::lock_guard lock(mutex_);
  std::map<std::string, Json> fresh;
  for (const auto& item : items) fresh[object_key(item)] = item;
  for (const auto& [key, old] : objects_) {
    if (fresh.count(key) == 0) publish({"DELETED", old});
  }
  for (const auto& [key, now] : fresh) {
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      publish({"ADDED", now});
    } else if (it->second["metadata"].value("resourceVersion", "") !=
               now["metadata"].value("resourceVersion", "")) {
      publish({"MODIFIED", now});
    }
  }
  objects_ = std::move(fresh);
  synced_ = true;
  wake_all();
}

void WatchHub::Cache::apply(const WatchEvent& event) {
  std::lock_guard lock(mutex_);
  std::string key = object_key(event.object);
  auto it = objects_.find(key);
  // Waiters judge only once the lock is released: marking them before the
  // change spares a copy of the old object.
  static const Json absent;
  wake_for(it == objects_.end() ? absent : it->second, event.object);
  if (event.type == "DELETED") {
    if (it != objects_.end()) objects_.erase(it);
  } else if (it != objects_.end()) {
    it->second = event.object;
  } else {
    objects_.emplace(std::move(key), event.object);
  }
  publish(event);
}

std::vector<Json> WatchHub::Cache::select(const WaitTarget& target) const {
  std::vector<Json> out;
  for (const auto& [key, object] : objects_) {
    if (selects(target, object)) out.push_back(object);
  }
  return out;
}

Result<WaitResult> WatchHub::Cache::wait(const WaitTarget& target, const WaitPredicate& predicate,
                                         util::Clock& clock, util::TimePoint deadline,
                                         const util::CancelToken* cancel) {
  std::unique_lock lock(mutex_);
  Waiter waiter;
  waiter.target = target;
  waiters_.insert(&waiter);
  struct Leave {  // deregisters on every return path
    std::set<Waiter*>& set;
    Waiter* w;
    ~Leave() { set.erase(w); }
  } leave{waiters_, &waiter};
  // A cancel wakes the waiter at once rather than at its next slice.
  util::CancelWakeup wake_on_cancel(cancel, [&waiter] { waiter.cv.notify_one(); });
  for (;;) {
    if (fatal_) return fatal_->with_context("watching " + ref_.key());
    if (synced_ && waiter.dirty) {
      waiter.dirty = false;
      std::vector<Json> objects = select(target);
      lock.unlock();
      WaitDecision decision = predicate(objects);
      lock.lock();
      if (decision.outcome != WaitDecision::Outcome::pending) {
        return WaitResult{decision.outcome == WaitDecision::Outcome::failed, decision.message,
                          std::move(objects)};
      }
      continue;
    }
    if (cancel != nullptr && cancel->cancelled())
      return util::make_error(ErrorKind::cancelled, "wait cancelled");
    if (clock.now() >= deadline) {
      return util::make_error(ErrorKind::timeout, "deadline passed waiting on " + ref_.key());
    }
    waiter.cv.wait_for(lock, k_wait_slice);
  }
}

util::Status WatchHub::Cache::visit(const WaitTarget& target, const ObjectVisitor& visitor,
                                    util::Clock& clock, util::TimePoint deadline,
                                    const util::CancelToken* cancel) {
  std::unique_lock lock(mutex_);
  if (!synced_ && !fatal_) {
    // Only before the first list completes: wait for it like any waiter.
    lock.unlock();
    auto synced = wait(
        target, [](const std::vector<Json>&) { return WaitDecision::done(); }, clock, deadline, cancel);
    if (!synced) return synced.error();
    lock.lock();
  }
  if (fatal_) return fatal_->with_context("watching " + ref_.key());
  if (!target.name.empty()) {  // by key, not a pass over every object
    auto it = objects_.find(ns_ + "/" + target.name);
    if (it != objects_.end()) visitor(it->second);
    return {};
  }
  std::vector<Requirement> selector;  // parsed once, not per object (the hub checked it parses)
  if (auto parsed = parse_label_selector(target.label_selector); parsed) selector = std::move(*parsed);
  for (const auto& [key, object] : objects_) {
    if (labels_match(selector, member(member(object, "metadata"), "labels")) && !visitor(object)) break;
  }
  return {};
}

WatchHub::WatchHub(Client& client, util::Clock& clock, ListWatchOptions options)
    : client_(client), clock_(clock), options_(std::move(options)) {
  // One answer per process: after the first refusal no stream asks again.
  if (!options_.watch_list) options_.watch_list = std::make_shared<std::atomic<bool>>(true);
}

WatchHub::~WatchHub() {
  std::lock_guard lock(mutex_);
  // Every watch is told first (the cancel wakes its poll at once), so the
  // joins below overlap instead of each waiting on the one before.
  for (auto& [key, cache] : caches_) cache->stop();
  subscriptions_.clear();
  caches_.clear();  // each Cache joins its thread
}

std::shared_ptr<WatchHub::Cache> WatchHub::cache_for(const ResourceRef& ref, const std::string& ns,
                                                     const WatchScope& scope, bool retry_failed,
                                                     const Json* seed) {
  std::string key = ref.key() + "/" + (ref.namespaced ? ns : "") + "/" + scope.key();
  std::lock_guard lock(mutex_);
  auto it = caches_.find(key);
  // A cache whose watch stopped for good (e.g. forbidden) is replaced, so a later wait tries again.
  if (it != caches_.end() && (!retry_failed || !it->second->failed())) return it->second;
  ListWatchOptions options = options_;
  options.label_selector = scope.label_selector;
  options.field_selector = scope.field_selector;
  options.fields = scope.fields;
  if (seed != nullptr) {
    options.seed_items = {*seed};
    options.seed_version = seed->value("/metadata/resourceVersion"_json_pointer, std::string());
  }
  auto cache = std::make_shared<Cache>(client_, ref, ref.namespaced ? ns : "", clock_, options);
  caches_[key] = cache;
  return cache;
}

Result<WaitResult> WatchHub::wait_until(const ResourceRef& ref, const std::string& ns,
                                        const WaitTarget& target, const WaitPredicate& predicate,
                                        util::TimePoint deadline, const util::CancelToken* cancel) {
  // A selector that does not parse would match nothing and only time out: say why now.
  if (auto parsed = parse_label_selector(target.label_selector); !parsed) return parsed.error();
  return cache_for(ref, ns, target.scope)->wait(target, predicate, clock_, deadline, cancel);
}

Result<WaitResult> WatchHub::wait_until(const ResourceRef& ref, const std::string& ns,
                                        const std::string& name,
                                        const std::function<bool(const Json&)>& ready,
                                        util::TimePoint deadline, const util::CancelToken* cancel) {
  auto predicate = [&ready](const std::vector<Json>& objects) {
    return !objects.empty() && ready(objects.front()) ? WaitDecision::done() : WaitDecision::pending();
  };
  return wait_until(ref, ns, WaitTarget::object(name), predicate, deadline, cancel);
}

Result<std::vector<Json>> WatchHub::snapshot(const ResourceRef& ref, const std::string& ns,
                                             const WaitTarget& target, util::TimePoint deadline,
                                             const util::CancelToken* cancel) {
  auto result = wait_until(
      ref, ns, target, [](const std::vector<Json>&) { return WaitDecision::done(); }, deadline, cancel);
  if (!result) return result.error();
  return std::move(result->objects);
}

util::Status WatchHub::visit(const ResourceRef& ref, const std::string& ns, const WaitTarget& target,
                             const ObjectVisitor& visitor, util::TimePoint deadline,
                             const util::CancelToken* cancel) {
  if (auto parsed = parse_label_selector(target.label_selector); !parsed) return parsed.error();
  // A stream that stopped for good is reported, not silently re-opened: a
  // wait that visits on every change must learn why no change will come.
  return cache_for(ref, ns, target.scope, false)->visit(target, visitor, clock_, deadline, cancel);
}

int WatchHub::subscribe(const ResourceRef& ref, const std::string& ns,
                        std::function<void(const WatchEvent&)> fn, const WatchScope& scope) {
  auto cache = cache_for(ref, ns, scope);
  std::lock_guard lock(mutex_);
  int id = next_id_++;
  subscriptions_[id] = cache;
  return cache->subscribe(id, std::move(fn));
}

void WatchHub::unsubscribe(int id) {
  std::shared_ptr<Cache> cache;
  {
    std::lock_guard lock(mutex_);
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return;
    cache = it->second;
    subscriptions_.erase(it);
  }
  cache->unsubscribe(id);
}

void WatchHub::seed_named(const ResourceRef& ref, const std::string& ns, const Json& object) {
  std::string name = object.value("/metadata/name"_json_pointer, std::string());
  if (name.empty() || object.value("/metadata/resourceVersion"_json_pointer, std::string()).empty()) return;
  cache_for(ref, ns, WatchScope::named(name), true, &object);
}

std::size_t WatchHub::streams() const {
  std::lock_guard lock(mutex_);
  return caches_.size();
}

}  // namespace sluice::kube
