// Reading and setting the regions' weights in a Gateway API HTTPRoute (pure,
// table-tested): the httpRoute director's arithmetic on the object.
#pragma once

#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace sluice::drill {

// Region -> the name of its backendRef (a Service in the route's namespace).
using RegionBackends = std::map<std::string, std::string>;

// Each region's weight in the first rule naming any region backend (a
// backendRef without a weight weighs 1, as Gateway API defines). invalid when
// no rule names a region, or a region has no backendRef in that rule.
util::Result<std::map<std::string, int>> route_weights(const nlohmann::json& route,
                                                       const RegionBackends& backends);

// Sets each region's weight in every rule naming its backend; returns how many
// backendRefs changed.
int set_route_weights(nlohmann::json& route, const RegionBackends& backends,
                      const std::map<std::string, int>& weights);

}  // namespace sluice::drill
