#include <kubesim/event_versions.hpp>

#include <array>
#include <map>
#include <utility>

namespace kubesim {

namespace {

// core/v1 JSON name -> events.k8s.io/v1 JSON name; the fields not listed
// (reason, type, eventTime, series, action, related, reportingInstance) keep theirs.
constexpr std::array<std::pair<const char*, const char*>, 7> k_renamed = {{
    {"involvedObject", "regarding"},
    {"message", "note"},
    {"source", "deprecatedSource"},
    {"firstTimestamp", "deprecatedFirstTimestamp"},
    {"lastTimestamp", "deprecatedLastTimestamp"},
    {"count", "deprecatedCount"},
    {"reportingComponent", "reportingController"},
}};

Json rename(Json object, bool to_events_v1) {
  if (!object.is_object()) return object;
  Json out = Json::object();
  for (auto& [key, value] : object.items()) {
    std::string name = key;
    for (const auto& [core, events_v1] : k_renamed) {
      if (name == (to_events_v1 ? core : events_v1)) {
        name = to_events_v1 ? events_v1 : core;
        break;
      }
    }
    out[name] = std::move(value);
  }
  return out;
}

Json convert(Json object, bool to_events_v1) {
  if (!object.is_object()) return object;
  const std::string api_version = to_events_v1 ? std::string(k_events_group) + "/v1" : "v1";
  if (object.value("kind", "") == "EventList" && object["items"].is_array()) {
    for (Json& item : object["items"]) item = convert(std::move(item), to_events_v1);
    object["apiVersion"] = api_version;
    return object;
  }
  object = rename(std::move(object), to_events_v1);
  if (object.contains("apiVersion")) object["apiVersion"] = api_version;
  return object;
}

const std::map<std::string, std::string>& field_labels() {
  static const std::map<std::string, std::string> labels = {
      {"reason", "reason"},
      {"regarding.kind", "involvedObject.kind"},
      {"regarding.namespace", "involvedObject.namespace"},
      {"regarding.name", "involvedObject.name"},
      {"regarding.uid", "involvedObject.uid"},
      {"regarding.apiVersion", "involvedObject.apiVersion"},
      {"regarding.resourceVersion", "involvedObject.resourceVersion"},
      {"regarding.fieldPath", "involvedObject.fieldPath"},
      {"reportingController", "reportingComponent"},
      {"source", "source"},
      {"type", "type"},
      {"metadata.namespace", "metadata.namespace"},
      {"metadata.name", "metadata.name"},
  };
  return labels;
}

}  // namespace

Json event_fields_to_events_v1(Json core) {
  return rename(std::move(core), true);
}

Json event_fields_to_core(Json events_v1) {
  return rename(std::move(events_v1), false);
}

Json event_to_events_v1(Json core) {
  return convert(std::move(core), true);
}

Json event_to_core(Json events_v1) {
  return convert(std::move(events_v1), false);
}

Json event_json_patch_to_core(Json patch) {
  if (!patch.is_array()) return patch;
  for (Json& op : patch) {
    for (const char* field : {"path", "from"}) {
      if (!op.is_object() || !op.contains(field) || !op[field].is_string()) continue;
      const std::string path = op[field];
      const auto end = path.find('/', 1);
      const std::string first = path.substr(1, end == std::string::npos ? std::string::npos : end - 1);
      const Json renamed = event_fields_to_core(Json{{first, nullptr}});
      op[field] = "/" + renamed.begin().key() + (end == std::string::npos ? "" : path.substr(end));
    }
  }
  return patch;
}

Result<std::string> event_field_selector_to_core(const std::string& selector) {
  std::string out;
  std::size_t start = 0;
  while (start <= selector.size() && !selector.empty()) {
    const auto comma = selector.find(',', start);
    const std::string term =
        selector.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto op = term.find_first_of("!=");
    const std::string label = term.substr(0, op);
    const auto found = field_labels().find(label);
    if (found == field_labels().end()) {
      return sluice::util::make_error(sluice::util::ErrorKind::invalid,
                                      "field label not supported: " + label);
    }
    out += (out.empty() ? "" : ",") + found->second + (op == std::string::npos ? "" : term.substr(op));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace kubesim
