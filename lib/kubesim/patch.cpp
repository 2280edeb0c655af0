#include <kubesim/patch.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace kubesim {

using sluice::util::ErrorKind;
using sluice::util::make_error;

namespace {

// What evanphx/json-patch (the apiserver's RFC 6902 library) says about an
// operation that does not apply; never the C++ library's exception text.
std::string json_patch_failure(const Json& op) {
  const std::string kind = op.is_object() ? op.value("op", "") : "";
  const std::string path =
      op.is_object() && op.contains("path") && op["path"].is_string() ? op["path"].get<std::string>() : "";
  if (kind == "add" || kind == "remove" || kind == "replace")
    return kind + " operation does not apply: doc is missing path: \"" + path + "\": missing value";
  if (kind == "move" || kind == "copy") {
    const std::string from = op.value("from", Json("")).is_string() ? op.value("from", "") : "";
    return kind + " operation does not apply: doc is missing from path: \"" + from + "\": missing value";
  }
  if (kind == "test") return "testing value " + path + " failed: test failed";
  return "Unexpected kind: " + kind;
}

}  // namespace

Result<Json> apply_json_patch(const Json& target, const Json& patch) {
  if (!patch.is_array())
    return make_error(ErrorKind::invalid,
                      "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  Json doc = target;
  for (const auto& op : patch) {
    try {
      doc = doc.patch(Json::array({op}));
    } catch (const Json::exception&) {
      return make_error(ErrorKind::invalid, json_patch_failure(op));
    }
  }
  return doc;
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
  // $retainKeys (strategic merge patch, used for Deployment strategy and volume
  // sources): fields not listed are cleared, so `type: Recreate` drops rollingUpdate.
  if (patch.contains("$retainKeys") && patch["$retainKeys"].is_array()) {
    const Json& keep = patch["$retainKeys"];
    for (auto it = target.begin(); it != target.end();) {
      it = std::find(keep.begin(), keep.end(), it.key()) == keep.end() ? target.erase(it) : std::next(it);
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
