// What the kubesim API tests share: the embedded server with the controllers
// off (every object changes only when the test changes it), the paths of the
// default namespace's Deployments and ConfigMaps, and a ConfigMap to create.
#pragma once

#include "support/kubesim_fixture.hpp"

#include <chrono>
#include <string>

namespace sluice::test {

inline KubesimOptions api_only(std::chrono::milliseconds bookmark_interval) {
  KubesimOptions options;
  options.controllers = false;
  options.bookmark_interval = bookmark_interval;
  return options;
}

inline const std::string k_deployments = "/apis/apps/v1/namespaces/default/deployments";
inline const std::string k_configmaps = "/api/v1/namespaces/default/configmaps";

inline Json config_map(const std::string& name, const Json& labels = Json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"data", {{"k", "v"}}}};
}

}  // namespace sluice::test
