// The managedFields entries a real cluster keeps on the pods a ReplicaSet
// makes: kube-controller-manager's (the create) and the kubelet's (its status
// writes, subresource status). Pods are most of kubesim's objects and writes,
// so both are built without a field walk per write: the controller's from a
// walk cached per ReplicaSet template, the kubelet's from the status's shape.
#pragma once

#include <kubesim/api_status.hpp>

#include <mutex>
#include <string>
#include <unordered_map>

namespace kubesim {

inline constexpr const char* k_controller_manager = "kube-controller-manager";
inline constexpr const char* k_kubelet_manager = "kubelet";

// A managedFields entry of an Update by `manager`.
Json update_entry(const std::string& manager, const std::string& time, const Json& fields_v1,
                  const std::string& subresource = "");

// kube-controller-manager's fieldsV1 for the pods a ReplicaSet creates from
// its template, computed once per (ReplicaSet uid, generation): the template
// (labels, spec), generateName and ownerReferences are all a pod's fields
// depend on. Safe to call from several sync threads.
class PodTemplateFields {
 public:
  // `pod`: the pod about to be created, defaulted, without managedFields.
  Json fields_for(const Json& replica_set, const Json& pod);

 private:
  struct Cached {
    long long generation = 0;
    Json fields;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Cached> by_uid_;
};

// The kubelet's fieldsV1 for `status` as a real one comes to own it: every
// condition but PodScheduled (the scheduler's binding sets that one, and a
// binding records no owner), containerStatuses (an atomic list), hostIP,
// hostIPs (atomic), podIP, podIPs (keyed by ip), startTime, and phase once
// it has left the Pending the pod was created with (`owns_phase`: owned
// before); qosClass is set at creation and never changed by the kubelet.
Json kubelet_status_fields(const Json& status, bool owns_phase);

// Sets the kubelet's entry on `pod`, which carries the live managedFields and
// its new status. False, changing nothing, when another manager owns status
// fields: then only the general field walk (record_update) can tell what the
// kubelet takes from it.
bool set_kubelet_status_entry(Json& pod, const std::string& time);

}  // namespace kubesim
