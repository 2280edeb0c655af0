// The controllers' view of the Store, like a client-go informer cache: the
// objects the controllers read (Deployments, ReplicaSets, Pods, Services),
// kept current from Store change events, with indexes by owner uid, by uid
// and by pod label so no event costs work proportional to all objects.
#pragma once

#include <kubesim/store.hpp>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kubesim {

using ObjectPtr = std::shared_ptr<const Json>;

inline constexpr const char* k_deployments = "deployments.apps";
inline constexpr const char* k_replicasets = "replicasets.apps";
inline constexpr const char* k_pods = "pods";
inline constexpr const char* k_services = "services";
inline constexpr const char* k_endpoints = "endpoints";

class ObjectIndex {
 public:
  static bool indexes(const std::string& resource);

  struct Change {
    bool applied = false;  // false: older than what is held (listeners run on many threads)
    ObjectPtr before;      // the previous state, if any
  };
  Change apply(const WatchEvent& event);

  ObjectPtr get(const std::string& resource, const std::string& ns, const std::string& name) const;
  // Objects of `resource` whose controller ownerReference has this uid.
  std::vector<ObjectPtr> controlled_by(const std::string& resource, const std::string& owner_uid) const;
  // Objects of any indexed resource listing this uid among their ownerReferences.
  std::vector<std::pair<std::string, ObjectPtr>> dependents_of(const std::string& owner_uid) const;
  bool uid_exists(const std::string& uid) const;
  // Pods in `ns` whose labels match a Service's map selector (non-empty).
  std::vector<ObjectPtr> pods_matching(const std::string& ns, const Json& selector) const;
  std::vector<ObjectPtr> list(const std::string& resource, const std::string& ns) const;
  // Objects in `ns` with no controller ownerReference (a Deployment adopts
  // matching orphan ReplicaSets on every sync: walking them all was O(N) each).
  std::vector<ObjectPtr> orphans(const std::string& resource, const std::string& ns) const;

 private:
  struct Entry {
    ObjectPtr object;
    std::uint64_t resource_version = 0;
  };
  using Ref = std::pair<std::string, std::string>;  // resource, ns/name

  void index_locked(const std::string& resource, const std::string& key, const Json& object);
  void unindex_locked(const std::string& resource, const std::string& key, const Json& object);
  void remember_deleted_locked(const std::string& id, std::uint64_t resource_version);

  mutable std::mutex mutex_;
  std::map<std::string, std::unordered_map<std::string, Entry>> objects_;  // resource -> ns/name -> entry
  std::unordered_map<std::string, std::set<Ref>> by_owner_;                // owner uid -> dependents
  std::unordered_map<std::string, Ref> by_uid_;
  std::map<std::string, std::set<std::string>> pods_by_label_;  // "ns\x1fkey=value" -> pod keys
  std::map<std::string, std::set<std::string>> by_namespace_;   // "resource\x1fns" -> keys
  std::map<std::string, std::set<std::string>> orphans_;    // "resource\x1fns" -> keys without a controller
  std::unordered_map<std::string, std::uint64_t> deleted_;  // tombstones: resource/ns/name -> RV
  std::deque<std::string> deleted_order_;
};

}  // namespace kubesim
