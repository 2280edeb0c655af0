#include <kubesim/selectors.hpp>

#include <map>
#include <optional>
#include <set>

namespace kubesim {

using sluice::util::ErrorKind;
using sluice::util::make_error;

namespace {

std::optional<std::string> field_value(const Json& object, const std::string& path) {
  const Json* node = &object;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(part)) return std::nullopt;
    node = &(*node)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_null()) return std::nullopt;
  return node->dump();
}

// The field labels each kind converts (kubernetes pkg/apis/core/v1/conversion.go,
// pkg/apis/apps/v1/conversion.go); every kind takes metadata.name and metadata.namespace.
bool supported_field(const std::string& kind, const std::string& field) {
  static const std::map<std::string, std::set<std::string>> extra = {
      {"Pod",
       {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"}},
      {"Secret", {"type"}},
      {"Namespace", {"status.phase"}},
      {"ReplicaSet", {"status.replicas"}},
      {"Event",
       {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
        "reportingComponent", "source", "type"}},
  };
  if (field == "metadata.name" || field == "metadata.namespace") return true;
  const auto it = extra.find(kind);
  return it != extra.end() && it->second.count(field) != 0;
}

}  // namespace

bool matches_labels(const std::vector<Requirement>& selector, const Json& object) {
  static const Json none;  // no labels: every key is absent
  const Json* labels = &none;
  if (object.contains("metadata") && object["metadata"].contains("labels"))
    labels = &object["metadata"]["labels"];
  return sluice::kube::labels_match(selector, *labels);
}

Result<std::vector<Requirement>> parse_field_selector(const std::string& text, const std::string& kind) {
  std::vector<Requirement> selector;
  if (text.find_first_not_of(" \t") == std::string::npos) return selector;
  for (const auto& term : sluice::kube::split_selector_terms(text)) {
    auto r = sluice::kube::parse_requirement(term);
    if (!r.ok()) return r.error();
    if (r->op != Requirement::Op::equals && r->op != Requirement::Op::not_equals) {
      return make_error(ErrorKind::invalid,
                        "invalid selector: '" + text + "'; can't understand '" + term + "'");
    }
    if (!kind.empty() && !supported_field(kind, r->key))
      return make_error(ErrorKind::invalid, "field label not supported: " + r->key);
    selector.push_back(std::move(*r));
  }
  return selector;
}

bool matches_fields(const std::vector<Requirement>& selector, const Json& object) {
  for (const auto& r : selector) {
    auto value = field_value(object, r.key);
    // The apiserver treats an absent field as the empty string.
    if (!value.has_value()) value = "";
    if (!sluice::kube::satisfies(r, value)) return false;
  }
  return true;
}

std::string selector_to_string(const Json& label_selector) {
  std::string out;
  auto add = [&out](const std::string& term) { out += (out.empty() ? "" : ",") + term; };
  if (label_selector.contains("matchLabels")) {
    for (const auto& [k, v] : label_selector["matchLabels"].items()) add(k + "=" + v.get<std::string>());
  }
  if (label_selector.contains("matchExpressions")) {
    for (const auto& e : label_selector["matchExpressions"]) {
      const std::string op = e.value("operator", "");
      std::string values;
      for (const auto& v : e.value("values", Json::array()))
        values += (values.empty() ? "" : ",") + v.get<std::string>();
      const std::string key = e.value("key", "");
      if (op == "In") add(key + " in (" + values + ")");
      if (op == "NotIn") add(key + " notin (" + values + ")");
      if (op == "Exists") add(key);
      if (op == "DoesNotExist") add("!" + key);
    }
  }
  return out;
}

}  // namespace kubesim
