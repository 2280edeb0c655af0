#include <sluice/drill/route_weights.hpp>

namespace sluice::drill {

using nlohmann::json;

namespace {

bool is_service_ref(const json& ref) {
  return ref.value("kind", "Service") == "Service" && ref.value("group", "") == "";
}

// The region `ref` reaches, or "" when none.
std::string region_of(const json& ref, const RegionBackends& backends) {
  if (!ref.is_object() || !is_service_ref(ref)) return "";
  for (const auto& [region, backend] : backends)
    if (ref.value("name", "") == backend) return region;
  return "";
}

const json& rules_of(const json& route) {
  static const json none = json::array();
  const auto pointer = "/spec/rules"_json_pointer;
  return route.contains(pointer) && route.at(pointer).is_array() ? route.at(pointer) : none;
}

}  // namespace

util::Result<std::map<std::string, int>> route_weights(const json& route, const RegionBackends& backends) {
  for (const json& rule : rules_of(route)) {
    std::map<std::string, int> weights;
    for (const json& ref : rule.value("backendRefs", json::array())) {
      std::string region = region_of(ref, backends);
      if (!region.empty()) weights[region] = ref.value("weight", 1);
    }
    if (weights.empty()) continue;
    for (const auto& [region, backend] : backends) {
      if (weights.count(region) == 0) {
        std::string message = "region '" + region + "' has no backendRef named '";
        message += backend + "' beside the other regions'";
        return util::make_error(util::ErrorKind::invalid, message);
      }
    }
    return weights;
  }
  return util::make_error(util::ErrorKind::invalid, "no rule has a backendRef of any region");
}

int set_route_weights(json& route, const RegionBackends& backends,
                      const std::map<std::string, int>& weights) {
  const auto pointer = "/spec/rules"_json_pointer;
  if (!route.contains(pointer) || !route.at(pointer).is_array()) return 0;
  int changed = 0;
  for (json& rule : route.at(pointer)) {
    if (!rule.contains("backendRefs") || !rule["backendRefs"].is_array()) continue;
    for (json& ref : rule["backendRefs"]) {
      auto weight = weights.find(region_of(ref, backends));
      if (weight == weights.end() || ref.value("weight", 1) == weight->second) continue;
      ref["weight"] = weight->second;
      ++changed;
    }
  }
  return changed;
}

}  // namespace sluice::drill
