#include <kubesim/managed_fields.hpp>

#include <kubesim/patch.hpp>

#include <map>
#include <optional>
#include <set>

namespace kubesim {

namespace {

using Path = std::vector<std::string>;  // "f:spec", "k:{\"name\":\"web\"}"
using FieldSet = std::set<Path>;

// A manager is told apart by (name, operation, subresource), as the
// apiserver's fieldmanager BuildManagerIdentifier does.
struct Manager {
  std::string name;
  std::string operation;
  std::string api_version;
  std::string time;
  FieldSet fields;
  std::string subresource;
};

// metav1.LabelSelector is a structType=atomic: owned as one field.
bool atomic_selector(const std::string& field, const Json& value) {
  return field == "selector" && value.is_object() &&
         (value.contains("matchLabels") || value.contains("matchExpressions"));
}

// The key of an element of an associative list, as structured-merge-diff
// writes it after `k:` (x-kubernetes-list-map-keys), or null when the list is
// owned as a whole. Ports are keyed by port and protocol, the protocol
// defaulting to TCP as the schema's default supplies it; pod IPs by `ip`.
Json element_key(const std::string& field, const Json& element) {
  if (!element.is_object()) return nullptr;
  if (field == "ports") {
    const char* port = element.contains("containerPort") ? "containerPort" : "port";
    if (!element.contains(port)) return nullptr;
    return Json{{port, element[port]}, {"protocol", element.value("protocol", "TCP")}};
  }
  const std::string key = field == "podIPs" ? "ip" : merge_key_for(field, element);
  if (key.empty() || !element.contains(key)) return nullptr;
  return Json{{key, element[key]}};
}

// metav1.OwnerReference is a structType=atomic: each reference is owned as one field.
bool atomic_element(const std::string& field) {
  return field == "ownerReferences";
}

void collect(const Json& value, Path& path, FieldSet& out, const std::string& field);

bool collect_keyed(const Json& list, Path& path, FieldSet& out, const std::string& field) {
  std::vector<Json> keys;
  for (const auto& element : list) {
    keys.push_back(element_key(field, element));
    if (keys.back().is_null()) return false;
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    path.push_back("k:" + keys[i].dump());
    if (atomic_element(field)) {
      out.insert(path);
    } else {
      collect(list[i], path, out, "");
    }
    path.pop_back();
  }
  return true;
}

void collect(const Json& value, Path& path, FieldSet& out, const std::string& field) {
  if (value.is_object() && !value.empty() && !atomic_selector(field, value)) {
    for (const auto& [key, child] : value.items()) {
      path.push_back("f:" + key);
      collect(child, path, out, key);
      path.pop_back();
    }
    return;
  }
  if (value.is_array() && !value.empty() && value[0].is_object() && collect_keyed(value, path, out, field))
    return;
  out.insert(path);
}

// Leaf fields a client controls: spec-like content plus labels and annotations.
// `status_scope`: the fields a /status write owns (status only) instead of the rest.
FieldSet leaf_fields(const Json& object, bool status_scope = false) {
  FieldSet out;
  if (!object.is_object()) return out;
  Path path;
  for (const auto& [key, value] : object.items()) {
    if (key == "apiVersion" || key == "kind" || (key == "status") != status_scope) continue;
    if (key == "metadata") {
      // The metadata a writer sets; name, uid, resourceVersion and the like
      // are stripped before ownership is computed (fieldmanager stripmeta.go).
      for (const char* meta : {"labels", "annotations", "generateName", "ownerReferences"}) {
        if (value.contains(meta)) {
          path = {"f:metadata", std::string("f:") + meta};
          collect(value[meta], path, out, meta);
        }
      }
      continue;
    }
    path = {"f:" + key};
    collect(value, path, out, key);
  }
  return out;
}

// `field`: the name of the list `node` is, for matching a `k:` element by its key.
const Json* child(const Json& node, const std::string& element, const std::string& field) {
  if (element.rfind("f:", 0) == 0) {
    const std::string key = element.substr(2);
    return node.is_object() && node.contains(key) ? &node[key] : nullptr;
  }
  if (!node.is_array()) return nullptr;
  const Json selector = Json::parse(element.substr(2));
  for (const auto& item : node) {
    if (element_key(field, item) == selector) return &item;
  }
  return nullptr;
}

// The field name a path element descends into ("" for a list element).
std::string field_of(const std::string& element) {
  return element.rfind("f:", 0) == 0 ? element.substr(2) : "";
}

const Json* find_at(const Json& object, const Path& path) {
  const Json* node = &object;
  std::string field;
  for (const auto& element : path) {
    node = child(*node, element, field);
    if (node == nullptr) return nullptr;
    field = field_of(element);
  }
  return node;
}

std::optional<Json> value_at(const Json& object, const Path& path) {
  const Json* node = find_at(object, path);
  return node == nullptr ? std::nullopt : std::optional<Json>(*node);
}

void remove_at(Json& object, const Path& path) {
  Json* node = &object;
  std::string field;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    node = const_cast<Json*>(child(*node, path[i], field));
    if (node == nullptr) return;
    field = field_of(path[i]);
  }
  const std::string& last = path.back();
  if (last.rfind("f:", 0) == 0) {
    if (node->is_object()) node->erase(last.substr(2));
  } else if (const Json* item = child(*node, last, field)) {
    for (auto it = node->begin(); it != node->end(); ++it) {
      if (&*it == item) {
        node->erase(it);
        break;
      }
    }
  }
}

// structured-merge-diff owns the maps an applier wrote along with their
// fields, so when its last field goes the map goes too: dropping
// rollingUpdate's fields drops `rollingUpdate`, not leaving `{}` behind.
void remove_owned(Json& object, const Json& config, Path path) {
  remove_at(object, path);
  for (path.pop_back(); !path.empty(); path.pop_back()) {
    const auto left = value_at(object, path);
    if (!left || !left->is_object() || !left->empty() || value_at(config, path)) return;
    remove_at(object, path);
  }
}

Json to_fields_v1(const FieldSet& fields) {
  Json out = Json::object();
  for (const auto& path : fields) {
    Json* node = &out;
    for (const auto& element : path) node = &(*node)[element];
    if (node->is_null()) *node = Json::object();
  }
  return out;
}

void from_fields_v1(const Json& node, Path& path, FieldSet& out) {
  bool has_children = false;
  for (const auto& [key, value] : node.items()) {
    if (key == ".") continue;
    has_children = true;
    path.push_back(key);
    from_fields_v1(value, path, out);
    path.pop_back();
  }
  if (!has_children && !path.empty()) out.insert(path);
}

std::vector<Manager> read_managers(const Json& object) {
  std::vector<Manager> managers;
  if (!object.is_object() || !object.contains("metadata")) return managers;
  for (const auto& entry : object["metadata"].value("managedFields", Json::array())) {
    Manager m{entry.value("manager", ""),
              entry.value("operation", "Update"),
              entry.value("apiVersion", ""),
              entry.value("time", ""),
              {},
              entry.value("subresource", "")};
    Path path;
    from_fields_v1(entry.value("fieldsV1", Json::object()), path, m.fields);
    managers.push_back(std::move(m));
  }
  return managers;
}

void write_managers(Json& object, const std::vector<Manager>& managers) {
  Json entries = Json::array();
  for (const auto& m : managers) {
    if (m.fields.empty()) continue;
    Json entry = {{"manager", m.name}, {"operation", m.operation}, {"apiVersion", m.api_version},
                  {"time", m.time},    {"fieldsType", "FieldsV1"}, {"fieldsV1", to_fields_v1(m.fields)}};
    if (!m.subresource.empty()) entry["subresource"] = m.subresource;
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) {
    object["metadata"].erase("managedFields");
  } else {
    object["metadata"]["managedFields"] = entries;
  }
}

Manager& manager_entry(std::vector<Manager>& managers, const std::string& name, const std::string& operation,
                       const std::string& subresource, const std::string& api_version,
                       const std::string& time) {
  for (auto& m : managers) {
    if (m.name == name && m.operation == operation && m.subresource == subresource) {
      m.time = time;
      m.api_version = api_version;
      return m;
    }
  }
  managers.push_back({name, operation, api_version, time, {}, subresource});
  return managers.back();
}

// fieldmanager's printManager: `"kubectl" with subresource "scale" using apps/v1`;
// appliers are named without an apiVersion.
std::string print_manager(const Manager& m) {
  std::string out = Json(m.name).dump();
  if (!m.subresource.empty()) out += " with subresource " + Json(m.subresource).dump();
  if (m.operation == "Update") out += " using " + m.api_version;
  return out;
}

// ".spec.template.spec.containers[name="web"].image", as the apiserver prints paths.
std::string display(const Path& path) {
  std::string out;
  for (const auto& element : path) {
    if (element.rfind("f:", 0) == 0) {
      out += "." + element.substr(2);
      continue;
    }
    // structured-merge-diff's PathElement.String: [containerPort=80,protocol="TCP"]
    const Json selector = Json::parse(element.substr(2));
    std::string keys;
    for (const auto& [k, v] : selector.items()) keys += (keys.empty() ? "" : ",") + k + "=" + v.dump();
    out += "[" + keys + "]";
  }
  return out;
}

struct Conflict {
  Path path;
  std::size_t manager;  // index into the managers read from the live object
};

// Fields `config` sets to a new value while another manager owns them.
std::vector<Conflict> find_conflicts(const Json& current, const Json& config, const FieldSet& applied,
                                     const std::vector<Manager>& managers, const std::string& manager,
                                     const std::string& subresource) {
  std::vector<Conflict> out;
  for (const auto& path : applied) {
    const auto existing = value_at(current, path);
    if (!existing.has_value() || existing == value_at(config, path)) continue;
    for (std::size_t i = 0; i < managers.size(); ++i) {
      const Manager& m = managers[i];
      const bool self = m.name == manager && m.operation == "Apply" && m.subresource == subresource;
      if (!self && m.fields.count(path) != 0) out.push_back({path, i});
    }
  }
  return out;
}

// lastappliedmanager.go (allowedConflictsFromLastApplied): the fields of the
// last-applied-configuration annotation whose live value is still the one
// client-side apply wrote. A `kubectl` apply taking those over is the move
// from client-side to server-side apply, not a conflict.
FieldSet unchanged_since_last_applied(const Json& current) {
  const Json::json_pointer at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration");
  if (!current.is_object() || !current.contains(at) || !current[at].is_string()) return {};
  const Json last = Json::parse(current[at].get<std::string>(), nullptr, false);
  if (!last.is_object() || last.value("apiVersion", "") != current.value("apiVersion", "")) return {};
  FieldSet out;
  for (const auto& path : leaf_fields(last)) {
    if (value_at(last, path) == value_at(current, path)) out.insert(path);
  }
  return out;
}

ApiError conflict_error(const std::vector<Conflict>& conflicts, const std::vector<Manager>& managers,
                        const std::string& name, const std::string& kind) {
  std::map<std::string, std::vector<std::string>> by_manager;
  for (const auto& c : conflicts) by_manager[print_manager(managers[c.manager])].push_back(display(c.path));
  const std::size_t count = conflicts.size();
  std::string message =
      "Apply failed with " + std::to_string(count) + " conflict" + (count == 1 ? "" : "s") + ": ";
  Json causes = Json::array();
  bool first = true;
  for (const auto& [manager, fields] : by_manager) {
    for (const auto& field : fields) {
      causes.push_back(
          {{"reason", "FieldManagerConflict"}, {"message", "conflict with " + manager}, {"field", field}});
    }
    if (!first) message += "\n";
    first = false;
    if (count == 1) {
      message += "conflict with " + manager + ": " + fields.front();
    } else {
      message += "conflicts with " + manager + ":";
      for (const auto& field : fields) message += "\n- " + field;
    }
  }
  return {409, "Conflict", message, Json{{"name", name}, {"kind", kind}, {"causes", causes}}};
}

// fieldmanager.go (FieldManager.Update): managedFields a client writes itself
// replace the live ones, which is how kubectl >= 1.26 (client-go
// util/csaupgrade) hands client-side-apply ownership to its Apply manager
// before a first `apply --server-side`. A subresource write, or a body
// without managedFields, keeps the live ones.
const Json& ownership_source(const Json& old_object, const Json& new_object, const std::string& subresource) {
  if (old_object.is_null()) return new_object;
  const Json::json_pointer at("/metadata/managedFields");
  const bool client_set =
      subresource.empty() && new_object.contains(at) && new_object[at].is_array() && !new_object[at].empty();
  return client_set ? new_object : old_object;
}

bool same_managed_fields(const Json& a, const Json& b) {
  const Json::json_pointer at("/metadata/managedFields");
  const bool in_a = a.contains(at);
  return in_a == b.contains(at) && (!in_a || a[at] == b[at]);
}

}  // namespace

void record_update(const Json& old_object, Json& new_object, const std::string& manager,
                   const std::string& api_version, const std::string& time, const std::string& subresource) {
  std::vector<Manager> managers = read_managers(ownership_source(old_object, new_object, subresource));
  const bool status_scope = subresource == "status";
  const FieldSet now = leaf_fields(new_object, status_scope);
  FieldSet changed;
  for (const auto& path : now) {
    const Json* before = old_object.is_null() ? nullptr : find_at(old_object, path);
    if (before == nullptr || *before != *find_at(new_object, path)) changed.insert(path);
  }
  bool dropped = false;
  for (auto& m : managers) {
    for (auto it = m.fields.begin(); it != m.fields.end();) {
      // Fields outside what this write may change (the spec, for a status
      // write) cannot have gone: no lookup needed, which keeps the
      // controllers' frequent status writes cheap.
      const bool in_scope = (it->front() == "f:status") == status_scope;
      const bool gone = in_scope && now.count(*it) == 0 && find_at(new_object, *it) == nullptr;
      const bool self = m.name == manager && m.operation == "Update" && m.subresource == subresource;
      const bool erase = gone || (changed.count(*it) != 0 && !self);
      dropped = dropped || erase;
      it = erase ? m.fields.erase(it) : std::next(it);
    }
  }
  if (!changed.empty()) {
    Manager& mine = manager_entry(managers, manager, "Update", subresource, api_version, time);
    mine.fields.insert(changed.begin(), changed.end());
  }
  if (changed.empty() && !dropped && !old_object.is_null() && same_managed_fields(old_object, new_object))
    return;  // nothing moved and the body carries the live entries: skip rewriting them
  write_managers(new_object, managers);
}

Result<Json> server_side_apply(const Json& current, const Json& config, const std::string& manager,
                               bool force, const std::string& api_version, const std::string& time,
                               ApiError& conflict, const std::string& subresource) {
  std::vector<Manager> managers = read_managers(current);
  const FieldSet applied = leaf_fields(config, subresource == "status");
  std::vector<Conflict> conflicts = find_conflicts(current, config, applied, managers, manager, subresource);
  if (!force && manager == "kubectl") {
    const FieldSet allowed = unchanged_since_last_applied(current);
    std::vector<Conflict> left;
    std::copy_if(conflicts.begin(), conflicts.end(), std::back_inserter(left),
                 [&](const Conflict& c) { return allowed.count(c.path) == 0; });
    force = left.empty();  // then every conflict moves to kubectl, as a forced apply
    if (!force) conflicts = std::move(left);
  }
  if (!force && !conflicts.empty()) {
    conflict =
        conflict_error(conflicts, managers, config["metadata"].value("name", ""), config.value("kind", ""));
    return sluice::util::make_error(sluice::util::ErrorKind::conflict, conflict.message);
  }
  for (const auto& c : conflicts) managers[c.manager].fields.erase(c.path);
  Json merged = current.is_null() ? Json::object() : current;
  Manager& mine = manager_entry(managers, manager, "Apply", subresource, api_version, time);
  for (const auto& path : mine.fields) {
    if (applied.count(path) != 0) continue;
    const bool shared = std::any_of(managers.begin(), managers.end(), [&](const Manager& m) {
      return &m != &mine && m.fields.count(path) != 0;
    });
    if (!shared) remove_owned(merged, config, path);
  }
  auto result = apply_strategic_merge_patch(std::move(merged), config);
  if (!result.ok()) return result;
  mine.fields = applied;
  write_managers(*result, managers);
  return result;
}

}  // namespace kubesim
