// Garbage collection with Background propagation: an object all of whose
// owners (by ownerReference uid) are gone is deleted, so deleting a
// Deployment takes its ReplicaSets and then their pods with it. With
// Foreground propagation the owner waits, marked with the foregroundDeletion
// finalizer, while its dependents are deleted (in foreground too); once none
// that blocks owner deletion is left the finalizer goes and so does the owner.
#pragma once

#include <kubesim/controller_context.hpp>

#include <string>
#include <utility>
#include <vector>

namespace kubesim {

// True for an object being deleted in foreground (deletionTimestamp and the foregroundDeletion finalizer).
bool deleting_in_foreground(const Json& object);

class GarbageCollector {
 public:
  explicit GarbageCollector(ControllerContext& ctx) : ctx_(ctx) {}
  sluice::util::Status sync(const std::string& resource, const std::string& ns, const std::string& name);
  // True when an owner of a kind the index holds is not in it: worth a sync.
  bool has_missing_owner(const Json& object) const;

 private:
  bool owner_exists(const Json& owner_ref, const std::string& ns) const;
  sluice::util::Status finish_foreground(const std::string& resource, const Json& owner);
  // Every namespaced object with an ownerReference to `uid`: (resource, object).
  std::vector<std::pair<std::string, Json>> dependents(const std::string& ns, const std::string& uid) const;
  ControllerContext& ctx_;
};

}  // namespace kubesim
