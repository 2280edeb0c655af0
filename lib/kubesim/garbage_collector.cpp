#include <kubesim/garbage_collector.hpp>

#include <kubesim/kube_object.hpp>

namespace kubesim {

bool GarbageCollector::has_missing_owner(const Json& object) const {
  if (!has_at(object, "/metadata/ownerReferences")) return false;
  for (const Json& ref : object["metadata"]["ownerReferences"]) {
    std::string kind = string_at(ref, "/kind");
    bool indexed = kind == "Deployment" || kind == "ReplicaSet" || kind == "Pod" || kind == "Service";
    if (indexed && !ctx_.index.uid_exists(string_at(ref, "/uid"))) return true;
  }
  return false;
}

bool GarbageCollector::owner_exists(const Json& ref, const std::string& ns) const {
  std::string kind = string_at(ref, "/kind");
  std::string api_version = string_at(ref, "/apiVersion");
  for (const ResourceType* each : ctx_.store.types().all()) {
    const ResourceType& type = *each;
    if (type.kind != kind || type.api_version() != api_version) continue;
    auto owner = ctx_.store.get(type.key(), type.namespaced ? ns : "", string_at(ref, "/name"));
    return owner && uid_of(*owner) == string_at(ref, "/uid");
  }
  return true;  // an owner of a kind kubesim does not serve cannot be checked, so it is not judged gone
}

sluice::util::Status GarbageCollector::sync(const std::string& resource, const std::string& ns,
                                            const std::string& name) {
  auto object = ctx_.store.get(resource, ns, name);
  if (!object) return {};
  if (!has_at(*object, "/metadata/ownerReferences") || (*object)["metadata"]["ownerReferences"].empty())
    return {};
  for (const Json& ref : (*object)["metadata"]["ownerReferences"]) {
    if (owner_exists(ref, ns)) return {};
  }
  if (resource == k_pods) return delete_pod_gracefully(ctx_, ns, name);
  auto removed = ctx_.remove(resource, ns, name);
  if (!removed && removed.error().kind != sluice::util::ErrorKind::not_found) return removed.error();
  return {};
}

}  // namespace kubesim
