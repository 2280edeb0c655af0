// kubesim's object store: the one source of truth the API server serves and
// the simulated controllers read and write. It does what etcd plus the
// apiserver's generic registry do: a global resourceVersion, uid,
// creationTimestamp, generation bumps on spec changes, optimistic concurrency,
// and a bounded history of changes that watches replay from.
#pragma once

#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kubesim {

using Json = nlohmann::json;
using sluice::util::Result;

// One served resource type, e.g. {"apps","v1","Deployment","deployments",true}.
struct ResourceType {
  std::string group;    // "" for the core group
  std::string version;  // "v1"
  std::string kind;     // "Deployment"
  std::string plural;   // "deployments"
  bool namespaced = true;
  // Discovery details (kubectl uses them for short names and `get all`).
  std::vector<std::string> short_names = {};
  bool has_status = false;  // a /status subresource: status is kept apart from spec writes
  bool has_scale = false;   // a /scale subresource (autoscaling/v1 Scale)
  bool in_all = false;      // member of the "all" category
  // The registry strategy's AllowCreateOnUpdate (a PUT of a missing object
  // creates it) and AllowUnconditionalUpdate (a PUT may omit resourceVersion).
  bool create_on_update = false;
  bool unconditional_update = true;
  // metadata.generation is kept only by kinds whose strategy sets it (workloads, Ingress, custom resources).
  bool has_generation = false;
  // A custom resource's openAPIV3Schema (its CRD version's), which prunes
  // unknown fields; null for the built-in kinds.
  std::shared_ptr<const Json> schema = nullptr;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // Store key for the type: "deployments.apps", "pods".
  std::string key() const { return group.empty() ? plural : plural + "." + group; }
};

// All resource types kubesim serves (Namespace, Pod, Service, Endpoints,
// ConfigMap, Secret, Event, Deployment, ReplicaSet, Lease, Ingress, HTTPRoute).
const std::vector<ResourceType>& resource_types();
const ResourceType* find_resource_type(const std::string& key);  // by key(), e.g. "deployments.apps"
// By group and plural as they appear in a URL ("apps", "deployments"); null when unknown.
const ResourceType* find_resource_type(const std::string& group, const std::string& plural);

// The types one Store serves: the built-in table plus the custom resources
// of the CRDs created in it (crd_controller.cpp). Pointers it hands out stay
// valid for the registry's lifetime, even after the CRD is deleted, so a
// request that resolved its type keeps a valid one.
class TypeRegistry {
 public:
  std::vector<const ResourceType*> all() const;  // built-in first, then custom
  const ResourceType* find(const std::string& key) const;
  const ResourceType* find(const std::string& group, const std::string& plural) const;
  const ResourceType* find(const std::string& group, const std::string& version,
                           const std::string& plural) const;
  // Serves `types` (one per served version) for group/plural, replacing what it served before.
  void serve(const std::string& group, const std::string& plural, std::vector<ResourceType> types);
  void stop_serving(const std::string& group, const std::string& plural);

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<const ResourceType>> owned_;
  std::vector<const ResourceType*> custom_;
};

struct WatchEvent {
  std::string type;      // ADDED, MODIFIED, DELETED
  std::string resource;  // ResourceType::key()
  Json object;           // the object after the change (before it, for DELETED, with the deletion's RV)
  std::uint64_t resource_version = 0;
  // The object before the change (null for ADDED): a watch with a selector
  // judges ADDED/MODIFIED/DELETED by whether the old and new states match,
  // and a list at an older resourceVersion undoes events with it.
  std::shared_ptr<const Json> previous = nullptr;
};

class Store {
 public:
  using Listener = std::function<void(const WatchEvent&)>;

  // `clock` stamps creationTimestamp (system clock when null); it must outlive the store.
  explicit Store(std::size_t history_limit = 10000, const sluice::util::Clock* clock = nullptr);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Reads. `ns` empty means all namespaces (or a cluster-scoped type).
  Result<Json> get(const std::string& resource, const std::string& ns, const std::string& name) const;
  // Objects sorted by namespace then name, plus the store's resourceVersion at that moment.
  std::pair<std::vector<Json>, std::uint64_t> list(const std::string& resource, const std::string& ns) const;
  // The same, copying only the objects `keep` accepts: controllers and
  // selector lists over a namespace of hundreds of objects want a few, and
  // the copies, not the walk, are what costs.
  using Filter = std::function<bool(const Json&)>;
  std::pair<std::vector<Json>, std::uint64_t> list(const std::string& resource, const std::string& ns,
                                                   const Filter& keep) const;

  // Writes. Each assigns a new global resourceVersion, records a WatchEvent in
  // the history and notifies listeners (after the store's lock is released).
  // create: fills uid, creationTimestamp, generation=1, resourceVersion;
  //   already_exists when the name is taken; generateName honoured.
  //   dry_run: every check and the object as it would be stored, without
  //   storing it, consuming a resourceVersion or emitting an event.
  Result<Json> create(const std::string& resource, Json object, bool dry_run = false);
  // update: replaces the object (status is preserved from the stored object
  //   unless `status_only`, in which case only .status is taken from `object`).
  //   conflict when object.metadata.resourceVersion is set and stale;
  //   not_found when absent. Bumps metadata.generation when .spec changed.
  //   A no-op update keeps the resourceVersion and emits no event.
  //   dry_run as for create; the stored resourceVersion is kept.
  Result<Json> update(const std::string& resource, Json object, bool status_only = false,
                      bool dry_run = false);
  // remove: deletes and returns the last state; not_found when absent.
  Result<Json> remove(const std::string& resource, const std::string& ns, const std::string& name);
  // mark_deleted: what a graceful DELETE does (pods): sets
  //   metadata.deletionTimestamp and deletionGracePeriodSeconds, a MODIFIED
  //   event; the object stays until remove(). An object already marked is
  //   returned unchanged; not_found when absent. (update() cannot set these.)
  //   `add_finalizer`, when given, joins metadata.finalizers in the same write
  //   (Foreground deletion's foregroundDeletion).
  Result<Json> mark_deleted(const std::string& resource, const std::string& ns, const std::string& name,
                            long long grace_period_seconds, const std::string& add_finalizer = "");

  std::uint64_t resource_version() const;
  TypeRegistry& types() const { return *types_; }
  // The objects as they were at resourceVersion `at` (ns empty: all
  // namespaces), rebuilt from the retained history; gone when `at` is older
  // than that history, invalid when it is newer than the store.
  Result<std::vector<Json>> list_at(const std::string& resource, const std::string& ns,
                                    std::uint64_t at) const;
  // Blocks until the store's resourceVersion reaches `at` or `timeout` passes;
  // true when it did (what the apiserver's watch cache does for a list from a
  // future resourceVersion).
  bool wait_for_version(std::uint64_t at, std::chrono::milliseconds timeout) const;

  // Events after `since` for one resource (ns empty: all namespaces), in
  // order. gone when `since` is older than the retained history.
  Result<std::vector<WatchEvent>> events_since(const std::string& resource, const std::string& ns,
                                               std::uint64_t since) const;
  // Drops all retained history, so any older resourceVersion gets 410 Gone.
  void compact();

  // Called for every change, without the store lock held, in resourceVersion
  // order. Delivery happens on a writing thread; a listener may itself write to
  // the store (its event is delivered after the current one). remove_listener
  // returns only once no call of that listener is in flight (unless called
  // from inside a listener), so a listener may capture `this`.
  // `resource` non-empty: only that resource's events (a watch's listener).
  int add_listener(Listener listener, const std::string& resource = "");
  void remove_listener(int id);

  // The resourceVersion below which history has been dropped (0 = none).
  std::uint64_t oldest_retained() const;

 private:
  mutable std::mutex mutex_;
  struct Impl;
  std::shared_ptr<Impl> impl_;
  std::unique_ptr<TypeRegistry> types_ = std::make_unique<TypeRegistry>();

  void deliver();  // runs listeners for queued events, in order
};

}  // namespace kubesim
