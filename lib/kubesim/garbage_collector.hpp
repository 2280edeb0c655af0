// Garbage collection with Background propagation: an object all of whose
// owners (by ownerReference uid) are gone is deleted, so deleting a
// Deployment takes its ReplicaSets and then their pods with it.
#pragma once

#include <kubesim/controller_context.hpp>

#include <string>

namespace kubesim {

class GarbageCollector {
 public:
  explicit GarbageCollector(ControllerContext& ctx) : ctx_(ctx) {}
  sluice::util::Status sync(const std::string& resource, const std::string& ns, const std::string& name);
  // True when an owner of a kind the index holds is not in it: worth a sync.
  bool has_missing_owner(const Json& object) const;

 private:
  bool owner_exists(const Json& owner_ref, const std::string& ns) const;
  ControllerContext& ctx_;
};

}  // namespace kubesim
