// Helpers for the kube client's integration tests: a kube::Client built from
// a running kubesim's kubeconfig, exactly as `sluice --kubeconfig` would.
#pragma once

#include "support/kubesim_fixture.hpp"

#include <sluice/kube/client.hpp>

#include <catch2/catch.hpp>

namespace sluice::kube::testing {

inline Config config_for(const std::string& kubeconfig_path) {
  LoadOptions load;
  load.explicit_path = kubeconfig_path;
  auto config = load_kubeconfig(load);
  REQUIRE(config.ok());
  return *config;
}

inline std::unique_ptr<Client> client_for(const Config& config, ClientOptions options = {}) {
  auto client = make_client(config, std::move(options));
  REQUIRE(client.ok());
  return std::move(*client);
}

inline std::unique_ptr<Client> client_for(sluice::test::Kubesim& sim, ClientOptions options = {}) {
  return client_for(config_for(sim.kubeconfig_path()), std::move(options));
}

inline Json config_map(const std::string& name, const Json& data, const Json& labels = Json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"data", data}};
}

}  // namespace sluice::kube::testing
