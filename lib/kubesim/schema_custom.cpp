// Pruning of custom resources by their CRD's openAPIV3Schema (structural
// schemas only: properties, additionalProperties, items,
// x-kubernetes-preserve-unknown-fields, x-kubernetes-embedded-resource).
#include <kubesim/schema.hpp>

namespace kubesim {

namespace {

struct Pruner {
  bool keep;
  std::vector<std::string> unknown;
};

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

bool preserves(const Json& schema) {
  return schema.value("x-kubernetes-preserve-unknown-fields", false);
}

void prune(Pruner& p, Json& value, const Json& schema, const std::string& path);

void prune_object(Pruner& p, Json& value, const Json& schema, const std::string& path) {
  const Json properties = schema.value("properties", Json::object());
  const Json additional = schema.value("additionalProperties", Json(false));
  const bool embedded = schema.value("x-kubernetes-embedded-resource", false);
  for (auto it = value.begin(); it != value.end();) {
    const std::string key = it.key();
    if (properties.contains(key)) {
      prune(p, it.value(), properties[key], join(path, key));
    } else if (additional.is_object()) {
      prune(p, it.value(), additional, join(path, key));
    } else if (!(additional == true || preserves(schema) ||
                 (embedded && (key == "apiVersion" || key == "kind" || key == "metadata")))) {
      p.unknown.push_back(join(path, key));
      if (!p.keep) {
        it = value.erase(it);
        continue;
      }
    }
    ++it;
  }
}

void prune(Pruner& p, Json& value, const Json& schema, const std::string& path) {
  if (!schema.is_object()) return;
  if (value.is_object() &&
      (schema.contains("properties") || schema.contains("additionalProperties") || !preserves(schema))) {
    prune_object(p, value, schema, path);
  } else if (value.is_array() && schema.contains("items")) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      prune(p, value[i], schema["items"], path + "[" + std::to_string(i) + "]");
    }
  }
}

}  // namespace

std::vector<std::string> prune_custom(const Json& schema, Json& object, bool keep) {
  Pruner p{keep, {}};
  Json root = schema;
  if (!root.is_object()) return {};
  // The apiserver keeps the type and object metadata of every custom
  // resource, whatever the schema says of them (a CRD may declare
  // `metadata: {type: object}` only); ObjectMeta is decoded, not pruned.
  Json& properties = root["properties"];
  if (!properties.is_object()) properties = Json::object();
  for (const char* field : {"apiVersion", "kind", "metadata"}) {
    properties[field] = {{"x-kubernetes-preserve-unknown-fields", true}};
  }
  prune(p, object, root, "");
  return p.unknown;
}

}  // namespace kubesim
