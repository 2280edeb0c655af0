// The Store: objects by type/namespace/name under one lock, a global
// resourceVersion counter, and a bounded event history watches replay from.
// Listener delivery is serialised through a queue so every listener sees
// events in resourceVersion order, even when listeners write to the store.
#include <kubesim/store.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <random>
#include <thread>

namespace kubesim {

using sluice::util::ErrorKind;
using sluice::util::make_error;

namespace {

using ObjectKey = std::pair<std::string, std::string>;  // namespace, name
using ObjectMap = std::map<ObjectKey, Json>;

std::string format_rfc3339(sluice::util::WallTime time) {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(time));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string meta_string(const Json& object, const char* field) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  const auto it = meta->find(field);
  return (it != meta->end() && it->is_string()) ? it->get<std::string>() : "";
}

// Same wording as the apiserver: `deployments.apps "web" not found`.
std::string quoted(const std::string& resource, const std::string& name) {
  return resource + " \"" + name + "\"";
}

}  // namespace

struct Store::Impl {
  std::size_t history_limit = 10000;
  const sluice::util::Clock* clock = nullptr;
  std::uint64_t rv = 1;
  std::uint64_t floor = 0;  // events with rv > floor are retained
  std::map<std::string, ObjectMap> objects;
  std::deque<WatchEvent> history;
  mutable std::condition_variable version_changed;  // waited on with Store::mutex_
  std::mt19937_64 rng{std::random_device{}()};

  std::mutex queue_mutex;
  std::deque<WatchEvent> pending;
  bool delivering = false;
  std::thread::id deliverer;

  struct ListenerSlot {
    int id = 0;
    // Shared so a delivery's snapshot copies pointers, not every listener's captures.
    std::shared_ptr<const Listener> call;
    std::shared_ptr<std::atomic<bool>> live;  // false once removed, even mid-delivery
  };
  std::mutex listeners_mutex;
  // By the resource they listen to ("" for every resource): an event is
  // handed to its kind's listeners only. With a watch each, hundreds of
  // listeners used to be copied and called for every event of any kind.
  std::map<std::string, std::map<int, ListenerSlot>> listeners;
  std::map<int, std::string> listener_resource;
  int next_listener = 1;
  std::vector<ListenerSlot> listeners_of(const std::string& resource);
  std::mutex delivery_mutex;  // held while listeners run, so remove_listener can wait

  std::string new_uid() {
    std::uniform_int_distribution<int> hex(0, 15);
    std::string uid = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
    for (char& c : uid) {
      if (c == 'x' || c == 'y') {
        int v = hex(rng);
        if (c == 'y') v = (v & 0x3) | 0x8;
        c = "0123456789abcdef"[v];
      }
    }
    return uid;
  }

  std::string random_suffix() {
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    std::uniform_int_distribution<int> pick(0, static_cast<int>(sizeof alphabet) - 2);
    std::string suffix;
    for (int i = 0; i < 5; ++i) suffix += alphabet[pick(rng)];
    return suffix;
  }

  // Called with the store lock held: assigns the event its place in history
  // and in the delivery queue, both in resourceVersion order.
  void record(WatchEvent event) {
    version_changed.notify_all();
    history.push_back(event);
    while (history.size() > history_limit) {
      floor = history.front().resource_version;
      history.pop_front();
    }
    std::lock_guard queue(queue_mutex);
    pending.push_back(std::move(event));
  }

  sluice::util::WallTime wall_now() const {
    return clock != nullptr ? clock->wall_now() : std::chrono::system_clock::now();
  }
};

Store::Store(std::size_t history_limit, const sluice::util::Clock* clock) : impl_(std::make_shared<Impl>()) {
  impl_->history_limit = history_limit == 0 ? 1 : history_limit;
  impl_->clock = clock;
}

Store::~Store() = default;

Result<Json> Store::get(const std::string& resource, const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto type = impl_->objects.find(resource);
  if (type != impl_->objects.end()) {
    const auto it = type->second.find({ns, name});
    if (it != type->second.end()) return it->second;
  }
  return make_error(ErrorKind::not_found, quoted(resource, name) + " not found");
}

std::pair<std::vector<Json>, std::uint64_t> Store::list(const std::string& resource,
                                                        const std::string& ns) const {
  return list(resource, ns, nullptr);
}

std::pair<std::vector<Json>, std::uint64_t> Store::list(const std::string& resource, const std::string& ns,
                                                        const Filter& keep) const {
  std::lock_guard lock(mutex_);
  std::vector<Json> items;
  const auto type = impl_->objects.find(resource);
  if (type != impl_->objects.end()) {
    const ObjectMap& objects = type->second;
    // Keys sort by namespace first: one namespace is one contiguous range.
    auto it = ns.empty() ? objects.begin() : objects.lower_bound({ns, std::string()});
    for (; it != objects.end() && (ns.empty() || it->first.first == ns); ++it) {
      if (!keep || keep(it->second)) items.push_back(it->second);
    }
  }
  return {std::move(items), impl_->rv};
}

Result<Json> Store::create(const std::string& resource, Json object, bool dry_run) {
  const ResourceType* type = types_->find(resource);
  if (type == nullptr)
    return make_error(ErrorKind::not_found, "the server could not find the requested resource");
  if (!object.is_object()) return make_error(ErrorKind::invalid, "object must be a JSON object");
  Json& meta = object["metadata"];
  if (!meta.is_object()) meta = Json::object();
  const std::string ns = meta_string(object, "namespace");
  if (type->namespaced && ns.empty())
    return make_error(ErrorKind::invalid, "metadata.namespace: Required value");
  if (!type->namespaced) meta.erase("namespace");
  WatchEvent event;
  {
    std::lock_guard lock(mutex_);
    ObjectMap& objects = impl_->objects[resource];
    std::string name = meta_string(object, "name");
    const std::string generate = meta_string(object, "generateName");
    for (int attempt = 0; name.empty() && !generate.empty() && attempt < 8; ++attempt) {
      std::string candidate = generate + impl_->random_suffix();
      if (objects.count({ns, candidate}) == 0) name = candidate;
    }
    if (name.empty()) {
      return make_error(ErrorKind::invalid,
                        "metadata.name: Required value: name or generateName is required");
    }
    if (objects.count({ns, name}) != 0)
      return make_error(ErrorKind::already_exists, quoted(resource, name) + " already exists");
    object["apiVersion"] = type->api_version();
    object["kind"] = type->kind;
    meta["name"] = name;
    meta["uid"] = impl_->new_uid();
    meta["creationTimestamp"] = format_rfc3339(impl_->wall_now());
    if (type->has_generation) {
      meta["generation"] = 1;
    } else {
      meta.erase("generation");
    }
    // A dry run answers what etcd would have been given: no resourceVersion is consumed.
    if (dry_run) return object;
    const std::uint64_t rv = ++impl_->rv;
    meta["resourceVersion"] = std::to_string(rv);
    objects[{ns, name}] = object;
    event = WatchEvent{"ADDED", resource, object, rv};
    impl_->record(std::move(event));  // not read again here
  }
  deliver();
  return object;
}

namespace {

// The object an update would store: identity fields come from the stored
// object, and spec/status are kept apart as the status subresource demands.
Json merge_for_update(const Json& stored, Json object, bool status_only, bool has_generation) {
  Json next;
  if (status_only) {
    next = stored;
    if (object.contains("status")) {
      next["status"] = std::move(object["status"]);
    } else {
      next.erase("status");
    }
    // The status write's own field ownership (managedFields) is kept with it.
    if (object["metadata"].contains("managedFields"))
      next["metadata"]["managedFields"] = std::move(object["metadata"]["managedFields"]);
    return next;
  }
  next = std::move(object);
  next["apiVersion"] = stored["apiVersion"];
  next["kind"] = stored["kind"];
  Json& meta = next["metadata"];
  for (const char* field : {"name", "namespace", "uid", "creationTimestamp", "generation",
                            "deletionTimestamp", "deletionGracePeriodSeconds"}) {
    if (stored["metadata"].contains(field)) {
      meta[field] = stored["metadata"][field];
    } else {
      meta.erase(field);
    }
  }
  if (stored.contains("status")) {
    next["status"] = stored["status"];
  } else {
    next.erase("status");
  }
  const Json no_spec;
  const Json& old_spec = stored.contains("spec") ? stored["spec"] : no_spec;
  const Json& new_spec = next.contains("spec") ? next["spec"] : no_spec;
  if (has_generation && old_spec != new_spec)
    meta["generation"] = stored["metadata"].value("generation", 0) + 1;
  return next;
}

}  // namespace

Result<Json> Store::update(const std::string& resource, Json object, bool status_only, bool dry_run) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) {
    return make_error(ErrorKind::invalid, "metadata: Required value");
  }
  const std::string ns = meta_string(object, "namespace");
  const std::string name = meta_string(object, "name");
  const std::string wanted_rv = meta_string(object, "resourceVersion");
  WatchEvent event;
  {
    std::lock_guard lock(mutex_);
    auto& objects = impl_->objects[resource];
    const auto it = objects.find({ns, name});
    if (it == objects.end()) return make_error(ErrorKind::not_found, quoted(resource, name) + " not found");
    const Json& stored = it->second;
    const std::string stored_rv = meta_string(stored, "resourceVersion");
    if (!wanted_rv.empty() && wanted_rv != stored_rv) {
      return make_error(ErrorKind::conflict, "Operation cannot be fulfilled on " + quoted(resource, name) +
                                                 ": the object has been modified; please apply your changes "
                                                 "to the latest version and try again");
    }
    const ResourceType* type = types_->find(resource);
    Json next =
        merge_for_update(stored, std::move(object), status_only, type != nullptr && type->has_generation);
    next["metadata"]["resourceVersion"] = stored_rv;
    if (next == stored || dry_run) return next;
    const std::uint64_t rv = ++impl_->rv;
    next["metadata"]["resourceVersion"] = std::to_string(rv);
    // The registry deletes an object being deleted once its last finalizer is removed.
    const bool finalized = stored["metadata"].contains("deletionTimestamp") &&
                           !stored["metadata"].value("finalizers", Json::array()).empty() &&
                           next["metadata"].value("finalizers", Json::array()).empty();
    // The stored state moves into the event as its previous state: no copy.
    auto previous = std::make_shared<const Json>(std::move(it->second));
    if (finalized) {
      objects.erase(it);
    } else {
      it->second = next;
    }
    event = WatchEvent{finalized ? "DELETED" : "MODIFIED", resource, next, rv, std::move(previous)};
    impl_->record(std::move(event));  // not read again here
    object = std::move(next);
  }
  deliver();
  return object;
}

Result<Json> Store::remove(const std::string& resource, const std::string& ns, const std::string& name) {
  WatchEvent event;
  {
    std::lock_guard lock(mutex_);
    auto& objects = impl_->objects[resource];
    const auto it = objects.find({ns, name});
    if (it == objects.end()) return make_error(ErrorKind::not_found, quoted(resource, name) + " not found");
    const std::uint64_t rv = ++impl_->rv;
    auto previous = std::make_shared<const Json>(std::move(it->second));
    objects.erase(it);
    Json last = *previous;
    last["metadata"]["resourceVersion"] = std::to_string(rv);
    event = WatchEvent{"DELETED", resource, std::move(last), rv, std::move(previous)};
    impl_->record(event);
  }
  deliver();
  return event.object;
}

Result<Json> Store::mark_deleted(const std::string& resource, const std::string& ns, const std::string& name,
                                 long long grace_period_seconds, const std::string& add_finalizer) {
  WatchEvent event;
  {
    std::lock_guard lock(mutex_);
    auto& objects = impl_->objects[resource];
    const auto it = objects.find({ns, name});
    if (it == objects.end()) return make_error(ErrorKind::not_found, quoted(resource, name) + " not found");
    if (it->second["metadata"].contains("deletionTimestamp")) return it->second;
    const std::uint64_t rv = ++impl_->rv;
    auto previous = std::make_shared<const Json>(it->second);
    Json& meta = it->second["metadata"];
    meta["deletionTimestamp"] = format_rfc3339(impl_->wall_now());
    meta["deletionGracePeriodSeconds"] = grace_period_seconds;
    if (!add_finalizer.empty()) {
      if (!meta.contains("finalizers") || !meta["finalizers"].is_array()) meta["finalizers"] = Json::array();
      meta["finalizers"].push_back(add_finalizer);
    }
    meta["resourceVersion"] = std::to_string(rv);
    event = WatchEvent{"MODIFIED", resource, it->second, rv, std::move(previous)};
    impl_->record(event);
  }
  deliver();
  return event.object;
}

std::uint64_t Store::resource_version() const {
  std::lock_guard lock(mutex_);
  return impl_->rv;
}

std::uint64_t Store::oldest_retained() const {
  std::lock_guard lock(mutex_);
  return impl_->floor;
}

Result<std::vector<WatchEvent>> Store::events_since(const std::string& resource, const std::string& ns,
                                                    std::uint64_t since) const {
  std::lock_guard lock(mutex_);
  if (since < impl_->floor) {
    return make_error(ErrorKind::gone, "too old resource version: " + std::to_string(since) + " (" +
                                           std::to_string(impl_->floor) + ")");
  }
  std::vector<WatchEvent> events;
  for (const auto& event : impl_->history) {
    if (event.resource_version <= since || event.resource != resource) continue;
    if (!ns.empty() && meta_string(event.object, "namespace") != ns) continue;
    events.push_back(event);
  }
  return events;
}

Result<std::vector<Json>> Store::list_at(const std::string& resource, const std::string& ns,
                                         std::uint64_t at) const {
  std::lock_guard lock(mutex_);
  if (at < impl_->floor)
    return make_error(ErrorKind::gone, "The resourceVersion for the provided list is too old.");
  if (at > impl_->rv)
    return make_error(ErrorKind::invalid, "resourceVersion " + std::to_string(at) + " is in the future");
  ObjectMap state;
  const auto type = impl_->objects.find(resource);
  if (type != impl_->objects.end()) {
    for (const auto& [key, object] : type->second) {
      if (ns.empty() || key.first == ns) state[key] = object;
    }
  }
  // Undo, newest first, every change made after `at`.
  for (auto it = impl_->history.rbegin(); it != impl_->history.rend() && it->resource_version > at; ++it) {
    if (it->resource != resource) continue;
    const std::string event_ns = meta_string(it->object, "namespace");
    if (!ns.empty() && event_ns != ns) continue;
    const ObjectKey key{event_ns, meta_string(it->object, "name")};
    if (it->previous == nullptr) {
      state.erase(key);
    } else {
      state[key] = *it->previous;
    }
  }
  std::vector<Json> items;
  items.reserve(state.size());
  for (auto& [key, object] : state) items.push_back(std::move(object));
  return items;
}

bool Store::wait_for_version(std::uint64_t at, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return impl_->version_changed.wait_for(lock, timeout, [&] { return impl_->rv >= at; });
}

void Store::compact() {
  std::lock_guard lock(mutex_);
  impl_->history.clear();
  impl_->floor = impl_->rv;
}

int Store::add_listener(Listener listener, const std::string& resource) {
  std::lock_guard lock(impl_->listeners_mutex);
  const int id = impl_->next_listener++;
  impl_->listeners[resource][id] = Impl::ListenerSlot{
      id, std::make_shared<const Listener>(std::move(listener)), std::make_shared<std::atomic<bool>>(true)};
  impl_->listener_resource[id] = resource;
  return id;
}

void Store::remove_listener(int id) {
  {
    std::lock_guard lock(impl_->listeners_mutex);
    const auto resource = impl_->listener_resource.find(id);
    if (resource != impl_->listener_resource.end()) {
      auto& slots = impl_->listeners[resource->second];
      if (const auto slot = slots.find(id); slot != slots.end()) {
        slot->second.live->store(false);
        slots.erase(slot);
      }
      if (slots.empty()) impl_->listeners.erase(resource->second);
      impl_->listener_resource.erase(resource);
    }
  }
  bool inside_delivery = false;
  {
    std::lock_guard queue(impl_->queue_mutex);
    inside_delivery = impl_->delivering && impl_->deliverer == std::this_thread::get_id();
  }
  // Wait out a call that may be running on another thread right now.
  if (!inside_delivery) std::lock_guard wait(impl_->delivery_mutex);
}

// Drains the delivery queue unless some thread (perhaps this one, one level
// up) already does; that thread then delivers this event in order.
// The listeners an event of `resource` goes to, in the order they were added.
std::vector<Store::Impl::ListenerSlot> Store::Impl::listeners_of(const std::string& resource) {
  std::vector<ListenerSlot> slots;
  std::lock_guard lock(listeners_mutex);
  for (const std::string& key : {std::string(), resource}) {
    const auto found = listeners.find(key);
    if (found == listeners.end()) continue;
    for (const auto& [id, slot] : found->second) slots.push_back(slot);
  }
  std::sort(slots.begin(), slots.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return slots;
}

void Store::deliver() {
  Impl& impl = *impl_;
  std::unique_lock queue(impl.queue_mutex);
  if (impl.delivering) return;
  impl.delivering = true;
  impl.deliverer = std::this_thread::get_id();
  while (!impl.pending.empty()) {
    WatchEvent next = std::move(impl.pending.front());
    impl.pending.pop_front();
    queue.unlock();
    {
      std::lock_guard running(impl.delivery_mutex);
      for (const Impl::ListenerSlot& slot : impl.listeners_of(next.resource)) {
        if (slot.live->load()) (*slot.call)(next);  // else removed by an earlier listener
      }
    }
    queue.lock();
  }
  impl.delivering = false;
  impl.deliverer = std::thread::id{};
}

}  // namespace kubesim
