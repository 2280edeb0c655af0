#include <kubesim/patch.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace kubesim {

using sluice::util::ErrorKind;
using sluice::util::make_error;

Result<Json> apply_json_patch(const Json& target, const Json& patch) {
  if (!patch.is_array())
    return make_error(ErrorKind::invalid,
                      "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  try {
    return target.patch(patch);
  } catch (const Json::exception& e) {
    return make_error(ErrorKind::invalid, e.what());
  }
}

Json apply_merge_patch(Json target, const Json& patch) {
  target.merge_patch(patch);
  return target;
}

std::string merge_key_for(const std::string& field, const Json& element) {
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers" ||
      field == "env" || field == "volumes" || field == "imagePullSecrets" || field == "hostAliases") {
    return field == "hostAliases" ? "ip" : "name";
  }
  if (field == "volumeMounts") return "mountPath";
  if (field == "volumeDevices") return "devicePath";
  if (field == "conditions") return "type";
  if (field == "ownerReferences") return "uid";
  if (field == "ports") return element.contains("containerPort") ? "containerPort" : "port";
  return "";
}

namespace {

Json strip_directives(Json value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (!it.key().empty() && it.key()[0] == '$') {
        it = value.erase(it);
      } else {
        *it = strip_directives(*it);
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (auto& element : value) element = strip_directives(element);
  }
  return value;
}

Result<Json> merge_value(Json target, const Json& patch);

// Lists with a merge key merge element by element; `{"$patch": "replace"}`
// in the list replaces it, `$patch: delete` on an element removes it.
Result<Json> merge_keyed_list(Json target, const Json& patch, const std::string& field) {
  if (!target.is_array()) target = Json::array();
  for (const auto& element : patch) {
    if (element.is_object() && element.value("$patch", "") == "replace") {
      Json replaced = Json::array();
      for (const auto& e : patch) {
        if (!(e.is_object() && e.contains("$patch"))) replaced.push_back(strip_directives(e));
      }
      return replaced;
    }
  }
  for (const auto& element : patch) {
    if (!element.is_object())
      return make_error(ErrorKind::invalid, "merging list " + field + ": element is not an object");
    const std::string key = merge_key_for(field, element);
    if (!element.contains(key))
      return make_error(ErrorKind::invalid,
                        "map: " + element.dump() + " does not contain declared merge key: " + key);
    auto match = std::find_if(target.begin(), target.end(), [&](const Json& t) {
      return t.is_object() && t.contains(key) && t[key] == element[key];
    });
    if (element.value("$patch", "") == "delete") {
      if (match != target.end()) target.erase(match);
      continue;
    }
    if (match == target.end()) {
      target.push_back(strip_directives(element));
      continue;
    }
    auto merged = merge_value(*match, element);
    if (!merged.ok()) return merged;
    *match = std::move(*merged);
  }
  return target;
}

Result<Json> merge_object(Json target, const Json& patch) {
  const std::string directive = patch.value("$patch", "");
  if (directive == "replace") return strip_directives(patch);
  if (!target.is_object()) target = Json::object();
  for (const auto& [key, value] : patch.items()) {
    static const std::string delete_prefix = "$deleteFromPrimitiveList/";
    if (key.rfind(delete_prefix, 0) == 0) {
      const std::string field = key.substr(delete_prefix.size());
      if (target.contains(field) && target[field].is_array()) {
        Json& list = target[field];
        for (const auto& v : value) list.erase(std::remove(list.begin(), list.end(), v), list.end());
      }
      continue;
    }
    if (!key.empty() && key[0] == '$') continue;  // $patch, $setElementOrder/..., $retainKeys
    if (value.is_null()) {
      target.erase(key);
    } else if (value.is_object() && value.value("$patch", "") == "delete") {
      target.erase(key);
    } else if (value.is_array() && !value.empty() && value[0].is_object() &&
               !merge_key_for(key, value[0]).empty()) {
      auto merged = merge_keyed_list(target.contains(key) ? target[key] : Json::array(), value, key);
      if (!merged.ok()) return merged;
      target[key] = std::move(*merged);
    } else {
      auto merged = merge_value(target.contains(key) ? target[key] : Json(), value);
      if (!merged.ok()) return merged;
      target[key] = std::move(*merged);
    }
  }
  return target;
}

Result<Json> merge_value(Json target, const Json& patch) {
  if (patch.is_object()) return merge_object(std::move(target), patch);
  return strip_directives(patch);
}

Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json object = Json::object();
      for (const auto& kv : node) object[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const auto& element : node) array.push_back(yaml_to_json(element));
      return array;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "!") return text;  // quoted in the source: always a string
      if (text == "true" || text == "false") return text == "true";
      if (text == "null" || text == "~") return nullptr;
      try {
        std::size_t used = 0;
        const long long integer = std::stoll(text, &used);
        if (used == text.size()) return integer;
        const double number = std::stod(text, &used);
        if (used == text.size()) return number;
      } catch (const std::exception&) {
      }
      return text;
    }
    default: return nullptr;
  }
}

}  // namespace

Result<Json> apply_strategic_merge_patch(Json target, const Json& patch) {
  if (!patch.is_object())
    return make_error(ErrorKind::invalid, "strategic merge patch must be a JSON object");
  return merge_object(std::move(target), patch);
}

Result<Json> parse_json_or_yaml(const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception&) {
  }
  try {
    return yaml_to_json(YAML::Load(text));
  } catch (const std::exception& e) {
    return make_error(ErrorKind::invalid, std::string("error decoding YAML: ") + e.what());
  }
}

}  // namespace kubesim
