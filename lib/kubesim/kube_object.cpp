#include <kubesim/kube_object.hpp>

#include <ctime>
#include <iomanip>
#include <sstream>

namespace kubesim {

std::string name_of(const Json& object) {
  return string_at(object, "/metadata/name");
}
std::string namespace_of(const Json& object) {
  return string_at(object, "/metadata/namespace");
}
std::string uid_of(const Json& object) {
  return string_at(object, "/metadata/uid");
}
std::string object_key(const Json& object) {
  return object_key(namespace_of(object), name_of(object));
}
std::string object_key(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

namespace {

// Walks a JSON pointer ("/a/b", "~1" for "/") through objects only, without
// building a json_pointer: the controllers read fields on every event.
const Json* walk(const Json& object, const char* pointer) {
  const Json* at = &object;
  std::string token;
  for (const char* p = pointer; *p != '\0';) {
    if (*p != '/' || !at->is_object()) return nullptr;
    token.clear();
    for (++p; *p != '\0' && *p != '/'; ++p) {
      if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
        token.push_back(p[1] == '1' ? '/' : '~');
        ++p;
      } else {
        token.push_back(*p);
      }
    }
    auto found = at->find(token);
    if (found == at->end()) return nullptr;
    at = &*found;
  }
  return at;
}

}  // namespace

std::string string_at(const Json& object, const char* pointer, const std::string& fallback) {
  const Json* value = walk(object, pointer);
  return value != nullptr && value->is_string() ? value->get<std::string>() : fallback;
}

long long int_at(const Json& object, const char* pointer, long long fallback) {
  const Json* value = walk(object, pointer);
  return value != nullptr && value->is_number_integer() ? value->get<long long>() : fallback;
}

bool bool_at(const Json& object, const char* pointer, bool fallback) {
  const Json* value = walk(object, pointer);
  return value != nullptr && value->is_boolean() ? value->get<bool>() : fallback;
}

bool has_at(const Json& object, const char* pointer) {
  return walk(object, pointer) != nullptr;
}

const Json* controller_ref(const Json& object) {
  const Json* refs = nullptr;
  if (object.contains("metadata") && object["metadata"].contains("ownerReferences")) {
    refs = &object["metadata"]["ownerReferences"];
  }
  if (refs == nullptr || !refs->is_array()) return nullptr;
  for (const Json& ref : *refs) {
    if (bool_at(ref, "/controller", false)) return &ref;
  }
  return nullptr;
}

Json make_controller_ref(const Json& owner, const std::string& api_version, const std::string& kind) {
  return Json{{"apiVersion", api_version}, {"kind", kind},       {"name", name_of(owner)},
              {"uid", uid_of(owner)},      {"controller", true}, {"blockOwnerDeletion", true}};
}

const Json* owner_reference(const Json& dependent, const std::string& uid) {
  const auto meta = dependent.find("metadata");
  if (meta == dependent.end() || !meta->is_object()) return nullptr;
  const auto refs = meta->find("ownerReferences");
  if (refs == meta->end() || !refs->is_array()) return nullptr;
  for (const Json& ref : *refs) {
    const auto ref_uid = ref.find("uid");
    if (ref_uid != ref.end() && ref_uid->is_string() && ref_uid->get_ref<const std::string&>() == uid)
      return &ref;
  }
  return nullptr;
}

std::function<bool(const Json&)> owned_by(std::string uid) {
  return [uid = std::move(uid)](const Json& object) { return owner_reference(object, uid) != nullptr; };
}

namespace {

bool label_has(const Json& labels, const std::string& key) {
  return labels.is_object() && labels.contains(key) && labels[key].is_string();
}

bool expression_matches(const Json& expression, const Json& labels) {
  std::string key = string_at(expression, "/key");
  std::string op = string_at(expression, "/operator");
  bool present = label_has(labels, key);
  if (op == "Exists") return present;
  if (op == "DoesNotExist") return !present;
  bool in_values = false;
  if (present && expression.contains("values") && expression["values"].is_array()) {
    for (const Json& value : expression["values"]) in_values = in_values || value == labels[key];
  }
  if (op == "In") return in_values;
  if (op == "NotIn") return !in_values;
  return false;  // an unknown operator matches nothing, as validation would have refused it
}

}  // namespace

bool label_selector_matches(const Json& selector, const Json& labels) {
  if (selector.is_null()) return false;
  if (selector.contains("matchLabels") && !map_selector_matches(selector["matchLabels"], labels))
    return false;
  if (selector.contains("matchExpressions") && selector["matchExpressions"].is_array()) {
    for (const Json& expression : selector["matchExpressions"]) {
      if (!expression_matches(expression, labels)) return false;
    }
  }
  return true;
}

bool map_selector_matches(const Json& selector, const Json& labels) {
  if (!selector.is_object()) return true;
  for (const auto& [key, value] : selector.items()) {
    if (!label_has(labels, key) || labels[key] != value) return false;
  }
  return true;
}

std::string rfc3339(sluice::util::WallTime time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::ostringstream out;
  out << std::put_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
  return out.str();
}

std::optional<sluice::util::WallTime> parse_rfc3339(const std::string& text) {
  std::tm utc{};
  std::istringstream in(text);
  in >> std::get_time(&utc, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

Json normalized(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [key, item] : value.items()) {
      Json child = normalized(item);
      bool empty = child.is_null() || ((child.is_object() || child.is_array()) && child.empty());
      if (!empty) out[key] = std::move(child);
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& item : value) out.push_back(normalized(item));
    return out;
  }
  return value;
}

Json template_without_hash(const Json& pod_template) {
  Json copy = pod_template;
  if (copy.contains("metadata") && copy["metadata"].contains("labels") &&
      copy["metadata"]["labels"].is_object()) {
    copy["metadata"]["labels"].erase(k_pod_template_hash_label);
  }
  return normalized(copy);
}

bool templates_equal_ignoring_hash(const Json& a, const Json& b) {
  return template_without_hash(a) == template_without_hash(b);
}

}  // namespace kubesim
