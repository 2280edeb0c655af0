#include <kubesim/object_index.hpp>

#include <kubesim/kube_object.hpp>

#include <algorithm>

namespace kubesim {

namespace {

constexpr std::size_t k_max_tombstones = 20000;
constexpr char k_sep = '\x1f';

std::string label_term(const std::string& ns, const std::string& key, const Json& value) {
  return ns + k_sep + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
}

std::string namespace_slot(const std::string& resource, const std::string& ns) {
  return resource + k_sep + ns;
}

}  // namespace

bool ObjectIndex::indexes(const std::string& resource) {
  return resource == k_deployments || resource == k_replicasets || resource == k_pods ||
         resource == k_services;
}

ObjectIndex::Change ObjectIndex::apply(const WatchEvent& event) {
  Change change;
  if (!indexes(event.resource)) return change;
  std::string key = object_key(event.object);
  std::string id = event.resource + "/" + key;
  std::lock_guard lock(mutex_);
  auto& objects = objects_[event.resource];
  auto found = objects.find(key);
  if (found != objects.end() && found->second.resource_version >= event.resource_version) return change;
  auto tomb = deleted_.find(id);
  if (tomb != deleted_.end() && tomb->second >= event.resource_version) return change;
  change.applied = true;
  if (found != objects.end()) {
    change.before = found->second.object;
    unindex_locked(event.resource, key, *found->second.object);
    objects.erase(found);
  }
  if (event.type == "DELETED") {
    remember_deleted_locked(id, event.resource_version);
    return change;
  }
  auto object = std::make_shared<const Json>(event.object);
  objects[key] = Entry{object, event.resource_version};
  index_locked(event.resource, key, *object);
  return change;
}

void ObjectIndex::remember_deleted_locked(const std::string& id, std::uint64_t resource_version) {
  deleted_[id] = resource_version;
  deleted_order_.push_back(id);
  while (deleted_order_.size() > k_max_tombstones) {
    deleted_.erase(deleted_order_.front());
    deleted_order_.pop_front();
  }
}

void ObjectIndex::index_locked(const std::string& resource, const std::string& key, const Json& object) {
  Ref ref{resource, key};
  if (object.contains("metadata") && object["metadata"].contains("ownerReferences")) {
    for (const Json& owner : object["metadata"]["ownerReferences"])
      by_owner_[string_at(owner, "/uid")].insert(ref);
  }
  std::string uid = uid_of(object);
  if (!uid.empty()) by_uid_[uid] = ref;
  std::string ns = namespace_of(object);
  by_namespace_[namespace_slot(resource, ns)].insert(key);
  if (controller_ref(object) == nullptr) orphans_[namespace_slot(resource, ns)].insert(key);
  if (resource == k_pods && object.contains("metadata") && object["metadata"].contains("labels")) {
    for (const auto& [label, value] : object["metadata"]["labels"].items()) {
      pods_by_label_[label_term(ns, label, value)].insert(key);
    }
  }
}

void ObjectIndex::unindex_locked(const std::string& resource, const std::string& key, const Json& object) {
  Ref ref{resource, key};
  if (object.contains("metadata") && object["metadata"].contains("ownerReferences")) {
    for (const Json& owner : object["metadata"]["ownerReferences"]) {
      auto found = by_owner_.find(string_at(owner, "/uid"));
      if (found == by_owner_.end()) continue;
      found->second.erase(ref);
      if (found->second.empty()) by_owner_.erase(found);
    }
  }
  auto uid = by_uid_.find(uid_of(object));
  if (uid != by_uid_.end() && uid->second == ref) by_uid_.erase(uid);
  std::string ns = namespace_of(object);
  auto slot = by_namespace_.find(namespace_slot(resource, ns));
  if (slot != by_namespace_.end()) {
    slot->second.erase(key);
    if (slot->second.empty()) by_namespace_.erase(slot);
  }
  auto orphan = orphans_.find(namespace_slot(resource, ns));
  if (orphan != orphans_.end()) {
    orphan->second.erase(key);
    if (orphan->second.empty()) orphans_.erase(orphan);
  }
  if (resource == k_pods && object.contains("metadata") && object["metadata"].contains("labels")) {
    for (const auto& [label, value] : object["metadata"]["labels"].items()) {
      auto term = pods_by_label_.find(label_term(ns, label, value));
      if (term == pods_by_label_.end()) continue;
      term->second.erase(key);
      if (term->second.empty()) pods_by_label_.erase(term);
    }
  }
}

ObjectPtr ObjectIndex::get(const std::string& resource, const std::string& ns,
                           const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto objects = objects_.find(resource);
  if (objects == objects_.end()) return nullptr;
  auto found = objects->second.find(object_key(ns, name));
  return found == objects->second.end() ? nullptr : found->second.object;
}

std::vector<ObjectPtr> ObjectIndex::controlled_by(const std::string& resource,
                                                  const std::string& owner_uid) const {
  std::vector<ObjectPtr> out;
  std::lock_guard lock(mutex_);
  auto found = by_owner_.find(owner_uid);
  auto objects = objects_.find(resource);
  if (found == by_owner_.end() || objects == objects_.end()) return out;
  for (const auto& [kind, key] : found->second) {
    if (kind != resource) continue;
    auto entry = objects->second.find(key);
    if (entry == objects->second.end()) continue;
    const Json* ref = controller_ref(*entry->second.object);
    if (ref != nullptr && string_at(*ref, "/uid") == owner_uid) out.push_back(entry->second.object);
  }
  return out;
}

std::vector<std::pair<std::string, ObjectPtr>> ObjectIndex::dependents_of(
    const std::string& owner_uid) const {
  std::vector<std::pair<std::string, ObjectPtr>> out;
  std::lock_guard lock(mutex_);
  auto found = by_owner_.find(owner_uid);
  if (found == by_owner_.end()) return out;
  for (const auto& [resource, key] : found->second) {
    auto objects = objects_.find(resource);
    if (objects == objects_.end()) continue;
    auto entry = objects->second.find(key);
    if (entry != objects->second.end()) out.emplace_back(resource, entry->second.object);
  }
  return out;
}

bool ObjectIndex::uid_exists(const std::string& uid) const {
  std::lock_guard lock(mutex_);
  return by_uid_.count(uid) != 0;
}

std::vector<ObjectPtr> ObjectIndex::pods_matching(const std::string& ns, const Json& selector) const {
  std::vector<ObjectPtr> out;
  if (!selector.is_object() || selector.empty()) return out;
  std::lock_guard lock(mutex_);
  // Walk the smallest label term's pods and check the rest of the selector on each.
  const std::set<std::string>* smallest = nullptr;
  for (const auto& [label, value] : selector.items()) {
    auto term = pods_by_label_.find(label_term(ns, label, value));
    if (term == pods_by_label_.end()) return out;
    if (smallest == nullptr || term->second.size() < smallest->size()) smallest = &term->second;
  }
  const auto& pods = objects_.at(k_pods);
  for (const std::string& key : *smallest) {
    auto entry = pods.find(key);
    if (entry == pods.end()) continue;
    const Json& pod = *entry->second.object;
    if (map_selector_matches(selector, pod["metadata"]["labels"])) out.push_back(entry->second.object);
  }
  return out;
}

std::vector<ObjectPtr> ObjectIndex::list(const std::string& resource, const std::string& ns) const {
  std::vector<ObjectPtr> out;
  std::lock_guard lock(mutex_);
  auto objects = objects_.find(resource);
  if (objects == objects_.end()) return out;
  if (ns.empty()) {
    for (const auto& [key, entry] : objects->second) out.push_back(entry.object);
    return out;
  }
  auto slot = by_namespace_.find(namespace_slot(resource, ns));
  if (slot == by_namespace_.end()) return out;
  for (const std::string& key : slot->second) out.push_back(objects->second.at(key).object);
  return out;
}

std::vector<ObjectPtr> ObjectIndex::orphans(const std::string& resource, const std::string& ns) const {
  std::vector<ObjectPtr> out;
  std::lock_guard lock(mutex_);
  auto objects = objects_.find(resource);
  auto slot = orphans_.find(namespace_slot(resource, ns));
  if (objects == objects_.end() || slot == orphans_.end()) return out;
  for (const std::string& key : slot->second) out.push_back(objects->second.at(key).object);
  return out;
}

}  // namespace kubesim
