#include <kubesim/garbage_collector.hpp>

#include <kubesim/kube_object.hpp>

#include <algorithm>

namespace kubesim {

bool deleting_in_foreground(const Json& object) {
  if (!has_at(object, "/metadata/deletionTimestamp")) return false;
  const Json finalizers = object["metadata"].value("finalizers", Json::array());
  return std::find(finalizers.begin(), finalizers.end(), k_foreground_deletion) != finalizers.end();
}

std::vector<std::pair<std::string, Json>> GarbageCollector::dependents(const std::string& ns,
                                                                       const std::string& uid) const {
  std::vector<std::pair<std::string, Json>> out;
  for (const auto& [resource, dependent] : ctx_.index.dependents_of(uid))
    out.emplace_back(resource, *dependent);
  for (const ResourceType& type : resource_types()) {
    if (!type.namespaced || ObjectIndex::indexes(type.key())) continue;
    for (Json& object : ctx_.store.list(type.key(), ns, owned_by(uid)).first)
      out.emplace_back(type.key(), std::move(object));
  }
  return out;
}

// attemptToDeleteItem for an owner waiting for its dependents: delete each
// (in foreground too), and drop the finalizer once no blocking one is left.
sluice::util::Status GarbageCollector::finish_foreground(const std::string& resource, const Json& owner) {
  const std::string ns = namespace_of(owner);
  bool blocked = false;
  for (const auto& [dependent_resource, dependent] : dependents(ns, uid_of(owner))) {
    const Json* ref = owner_reference(dependent, uid_of(owner));
    blocked = blocked || (ref != nullptr && ref->value("blockOwnerDeletion", false));
    if (has_at(dependent, "/metadata/deletionTimestamp")) continue;
    if (dependent_resource == k_pods) {
      if (auto ok = delete_pod_gracefully(ctx_, ns, name_of(dependent)); !ok) return ok;
      continue;
    }
    auto marked =
        ctx_.store.mark_deleted(dependent_resource, ns, name_of(dependent), 0, k_foreground_deletion);
    if (!marked && marked.error().kind != sluice::util::ErrorKind::not_found) return marked.error();
  }
  if (blocked) return {};  // queued again as each dependent goes
  auto done = update_with_retry(
      ctx_, resource, ns, name_of(owner),
      [&](Json& o) {
        if (uid_of(o) != uid_of(owner) || !deleting_in_foreground(o)) return false;
        Json& finalizers = o["metadata"]["finalizers"];
        finalizers.erase(std::remove(finalizers.begin(), finalizers.end(), k_foreground_deletion),
                         finalizers.end());
        return true;
      },
      false);
  if (!done && done.error().kind != sluice::util::ErrorKind::not_found) return done.error();
  return {};
}

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
  if (deleting_in_foreground(*object)) return finish_foreground(resource, *object);
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
