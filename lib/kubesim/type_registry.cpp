// The per-Store registry of served types: the built-in table and the custom
// resources CRDs add. Retired custom types are kept alive (owned_) because a
// request in flight may still hold a pointer to one.
#include <kubesim/store.hpp>

#include <algorithm>

namespace kubesim {

std::vector<const ResourceType*> TypeRegistry::all() const {
  std::vector<const ResourceType*> out;
  for (const auto& type : resource_types()) out.push_back(&type);
  std::lock_guard lock(mutex_);
  out.insert(out.end(), custom_.begin(), custom_.end());
  return out;
}

const ResourceType* TypeRegistry::find(const std::string& key) const {
  if (const ResourceType* type = find_resource_type(key)) return type;
  std::lock_guard lock(mutex_);
  for (const ResourceType* type : custom_) {
    if (type->key() == key) return type;
  }
  return nullptr;
}

const ResourceType* TypeRegistry::find(const std::string& group, const std::string& plural) const {
  if (const ResourceType* type = find_resource_type(group, plural)) return type;
  std::lock_guard lock(mutex_);
  for (const ResourceType* type : custom_) {
    if (type->group == group && type->plural == plural) return type;
  }
  return nullptr;
}

const ResourceType* TypeRegistry::find(const std::string& group, const std::string& version,
                                       const std::string& plural) const {
  if (const ResourceType* type = find_resource_type(group, plural)) {
    return type->version == version ? type : nullptr;
  }
  std::lock_guard lock(mutex_);
  for (const ResourceType* type : custom_) {
    if (type->group == group && type->version == version && type->plural == plural) return type;
  }
  return nullptr;
}

void TypeRegistry::serve(const std::string& group, const std::string& plural,
                         std::vector<ResourceType> types) {
  stop_serving(group, plural);
  std::lock_guard lock(mutex_);
  for (auto& type : types) {
    owned_.push_back(std::make_unique<const ResourceType>(std::move(type)));
    custom_.push_back(owned_.back().get());
  }
}

void TypeRegistry::stop_serving(const std::string& group, const std::string& plural) {
  std::lock_guard lock(mutex_);
  std::erase_if(custom_, [&](const ResourceType* t) { return t->group == group && t->plural == plural; });
}

}  // namespace kubesim
