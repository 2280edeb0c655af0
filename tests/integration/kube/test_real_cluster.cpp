// Opt-in tier against a real cluster (kind, k3s, EKS...): runs only when
// SLUICE_REAL_KUBECONFIG, or KUBECONFIG with SLUICE_REAL_CLUSTER=1, is set.
#include <sluice/kube/client.hpp>
#include <sluice/kube/doctor.hpp>
#include <sluice/kube/watch.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <random>

using namespace sluice::kube;

namespace {

// The real cluster's config, or nullopt (with a message why the test is skipped).
std::optional<Config> real_cluster_config() {
  const char* explicit_path = std::getenv("SLUICE_REAL_KUBECONFIG");
  const char* opt_in = std::getenv("SLUICE_REAL_CLUSTER");
  LoadOptions load;
  if (explicit_path != nullptr && *explicit_path != '\0') {
    load.explicit_path = explicit_path;
  } else if (opt_in == nullptr || std::string(opt_in) != "1" || std::getenv("KUBECONFIG") == nullptr) {
    WARN(
        "skipped: set SLUICE_REAL_KUBECONFIG=<file> (or KUBECONFIG and SLUICE_REAL_CLUSTER=1) to run "
        "[real-cluster] tests");
    return std::nullopt;
  }
  auto config = load_kubeconfig(load);
  REQUIRE(config.ok());
  return *config;
}

}  // namespace

TEST_CASE("a real cluster passes doctor", "[.real-cluster]") {
  auto config = real_cluster_config();
  if (!config) return;
  auto client = make_client(*config);
  REQUIRE(client.ok());
  auto report = run_doctor(**client, *config, std::nullopt);
  for (const auto& c : report.checks) INFO(c.name << ": " << c.detail);
  CHECK(report.ok());
}

TEST_CASE("a real cluster: create, watch-wait, update with conflict retry, delete a ConfigMap",
          "[.real-cluster]") {
  auto config = real_cluster_config();
  if (!config) return;
  auto client = make_client(*config);
  REQUIRE(client.ok());
  Client& kube = **client;
  std::string name = "sluice-real-cluster-test-" + std::to_string(std::random_device{}() % 100000);
  Json cm = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"step", "1"}}}};
  REQUIRE(kube.create(k_configmaps, config->ns, cm).ok());
  WatchHub hub(kube);
  auto deadline = sluice::util::system_clock().now() + std::chrono::seconds(30);
  REQUIRE(kube.patch(k_configmaps, config->ns, name, PatchType::merge, {{"data", {{"step", "2"}}}}).ok());
  auto waited = hub.wait_until(
      k_configmaps, config->ns, name, [](const Json& o) { return o["data"].value("step", "") == "2"; },
      deadline);
  CHECK(waited.ok());
  CHECK(kube.remove(k_configmaps, config->ns, name).ok());
}
