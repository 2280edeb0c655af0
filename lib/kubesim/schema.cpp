// The decoder's checks over schema_definitions(), with the error text of Go's
// encoding/json (as wrapped by sigs.k8s.io/json and the apiserver's codec).
#include <kubesim/schema.hpp>

#include <regex>

namespace kubesim {

namespace {

struct Walk {
  const Json& defs;
  bool keep_unknown;                 // Strict: report, do not drop
  std::vector<std::string> unknown;  // "spec.template.spec.containers[0].foo"
  std::string type_error;            // the first decode error, Go's wording
};

std::string json_type(const Json& value) {
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "bool";
  if (value.is_array()) return "array";
  if (value.is_object()) return "object";
  return "number";
}

// The Go type a schema node decodes into, as encoding/json names it.
std::string go_type(const Json& schema) {
  if (schema.is_array()) return "[]" + go_type(schema[0]);
  if (schema.is_object()) return schema.contains("*") ? "v1.ResourceList" : "struct";
  const std::string code = schema.get<std::string>();
  if (code.rfind('#', 0) == 0) return "v1." + code.substr(1);
  if (code == "s") return "string";
  if (code == "b") return "bool";
  if (code == "i32") return "int32";
  if (code == "i64") return "int64";
  if (code == "m") return "map[string]string";
  if (code == "io") return "intstr.IntOrString";
  return "interface {}";
}

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

void type_error(Walk& w, const Json& value, const Json& schema, const std::string& go_path,
                const std::string& parent) {
  if (!w.type_error.empty()) return;
  std::string what = json_type(value);
  if (value.is_number() && !value.is_number_integer()) what += " " + value.dump();
  w.type_error = "json: cannot unmarshal " + what + " into Go struct field " + parent + "." + go_path +
                 " of type " + go_type(schema);
}

bool valid_quantity(const Json& value) {
  static const std::regex pattern("^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$");
  if (value.is_number()) return true;
  return value.is_string() && std::regex_match(value.get<std::string>(), pattern);
}

void walk(Walk& w, Json& value, const Json& schema, const std::string& path, const std::string& go_path,
          const std::string& parent);

void walk_struct(Walk& w, Json& value, const Json& fields, const std::string& path,
                 const std::string& go_path, const std::string& name) {
  for (auto it = value.begin(); it != value.end();) {
    const std::string key = it.key();
    if (fields.contains(key)) {
      walk(w, it.value(), fields[key], join(path, key), join(go_path, key), name);
      ++it;
      continue;
    }
    w.unknown.push_back(join(path, key));
    it = w.keep_unknown ? std::next(it) : value.erase(it);
  }
}

void walk_leaf(Walk& w, Json& value, const std::string& code, const std::string& go_path,
               const std::string& parent) {
  const Json schema = code;
  if (code == "s" && !value.is_string()) return type_error(w, value, schema, go_path, parent);
  if (code == "b" && !value.is_boolean()) return type_error(w, value, schema, go_path, parent);
  if ((code == "i32" || code == "i64") && !value.is_number_integer())
    return type_error(w, value, schema, go_path, parent);
  if (code == "io" && !value.is_string() && !value.is_number_integer())
    return type_error(w, value, schema, go_path, parent);
  if (code == "q" && !valid_quantity(value) && w.type_error.empty()) {
    w.type_error =
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  }
  if (code != "m") return;
  if (!value.is_object()) return type_error(w, value, schema, go_path, parent);
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string() && !item.is_null()) return type_error(w, item, Json("s"), go_path, parent);
  }
}

void walk(Walk& w, Json& value, const Json& schema, const std::string& path, const std::string& go_path,
          const std::string& parent) {
  if (value.is_null()) return;
  if (schema.is_array()) {
    if (!value.is_array()) return type_error(w, value, schema, go_path, parent);
    for (std::size_t i = 0; i < value.size(); ++i) {
      walk(w, value[i], schema[0], path + "[" + std::to_string(i) + "]", go_path, parent);
    }
    return;
  }
  if (schema.is_object()) {  // a map of typed values
    if (!value.is_object()) return type_error(w, value, schema, go_path, parent);
    for (auto& [key, item] : value.items()) walk(w, item, schema["*"], join(path, key), go_path, parent);
    return;
  }
  const std::string code = schema.get<std::string>();
  if (code == "any") return;
  if (code.rfind('#', 0) != 0) return walk_leaf(w, value, code, go_path, parent);
  const std::string name = code.substr(1);
  if (!value.is_object()) return type_error(w, value, schema, go_path, parent);
  walk_struct(w, value, w.defs[name], path, go_path, name);
}

std::string unknown_list(const std::vector<std::string>& unknown, const char* prefix, const char* suffix) {
  std::string out;
  for (const auto& path : unknown) out += (out.empty() ? "" : ", ") + (prefix + path + suffix);
  return out;
}

}  // namespace

DecodeOutcome decode_fields(const ResourceType& type, Json& object, const std::string& validation,
                            bool apply) {
  DecodeOutcome outcome;
  const Json& defs = schema_definitions();
  if (!object.is_object()) return outcome;
  Walk w{defs, validation == "Strict", {}, {}};
  if (type.schema) {
    w.unknown = prune_custom(*type.schema, object, w.keep_unknown);
  } else if (defs.contains(type.kind)) {
    walk_struct(w, object, defs[type.kind], "", "", type.kind);
  } else {
    return outcome;
  }
  const std::string cannot =
      type.kind + " in version \"" + type.version + "\" cannot be handled as a " + type.kind + ": ";
  if (!w.type_error.empty()) {
    outcome.error = bad_request(cannot + w.type_error);
    return outcome;
  }
  if (w.unknown.empty() || validation == "Ignore") return outcome;
  if (validation != "Strict") {
    for (const auto& path : w.unknown) outcome.warnings.push_back("unknown field \"" + path + "\"");
    return outcome;
  }
  if (apply) {
    const Json& meta = object.value("metadata", Json::object());
    outcome.error = bad_request("failed to create typed patch object (" + meta.value("namespace", "") + "/" +
                                meta.value("name", "") + "; " + type.api_version() + ", Kind=" + type.kind +
                                "): " + unknown_list(w.unknown, ".", ": field not declared in schema"));
    return outcome;
  }
  outcome.error =
      bad_request(cannot + "strict decoding error: " + unknown_list(w.unknown, "unknown field \"", "\""));
  return outcome;
}

}  // namespace kubesim
