// Opt-in tier against a real cluster (kind, k3s, EKS...): runs only when
// SLUICE_REAL_KUBECONFIG, or KUBECONFIG with SLUICE_REAL_CLUSTER=1, is set.
#include <sluice/kube/client.hpp>
#include <sluice/kube/doctor.hpp>
#include <sluice/kube/watch.hpp>

#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
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

struct RealCluster {
  Config config;
  std::unique_ptr<Client> client;
};

// The real cluster and a client for it, or nullopt when the tier is not opted into.
std::optional<RealCluster> real_cluster() {
  auto config = real_cluster_config();
  if (!config) return std::nullopt;
  auto client = make_client(*config);
  REQUIRE(client.ok());
  return RealCluster{*config, std::move(*client)};
}

std::string kubeconfig_path() {
  const char* explicit_path = std::getenv("SLUICE_REAL_KUBECONFIG");
  return explicit_path != nullptr && *explicit_path != '\0' ? explicit_path : std::getenv("KUBECONFIG");
}

std::string image_of(Client& kube, const std::string& ns, const std::string& name) {
  auto dep = kube.get(k_deployments, ns, name);
  REQUIRE(dep.ok());
  return (*dep)["spec"]["template"]["spec"]["containers"][0].value("image", "");
}

// Deletes what one test made, whatever state it was left in.
struct Cleanup {
  Client& kube;
  std::string ns;
  std::string name;
  ~Cleanup() {
    DeleteOptions background;
    background.propagation = Propagation::background;
    (void)kube.remove(k_deployments, ns, name, background);
    (void)kube.remove(k_deployments, ns, name + "-canary", background);
    (void)kube.remove(k_services, ns, name);
    (void)kube.remove(k_configmaps, ns, "sluice-" + name);
    (void)kube.remove(k_leases, ns, "sluice-" + name);
  }
};

}  // namespace

TEST_CASE("a real cluster passes doctor", "[.real-cluster]") {
  auto cluster = real_cluster();
  if (!cluster) return;
  auto report = run_doctor(*cluster->client, cluster->config, std::nullopt);
  for (const auto& c : report.checks) INFO(c.name << ": " << c.detail);
  CHECK(report.ok());
}

TEST_CASE("a real cluster: create, watch-wait, update with conflict retry, delete a ConfigMap",
          "[.real-cluster]") {
  auto cluster = real_cluster();
  if (!cluster) return;
  const Config* config = &cluster->config;
  Client& kube = *cluster->client;
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

TEST_CASE("a real cluster: a canary of registry.k8s.io/pause to 50%, promoted, then rolled back",
          "[.real-cluster]") {
  auto cluster = real_cluster();
  if (!cluster) return;
  const Config* config = &cluster->config;
  Client& kube = *cluster->client;
  std::string name = "sluice-canary-" + std::to_string(std::random_device{}() % 100000);
  Cleanup cleanup{kube, config->ns, name};
  Json labels = {{"app", name}};
  Json dep = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", name}, {"labels", labels}}},
      {"spec",
       {{"replicas", 2},
        {"selector", {{"matchLabels", labels}}},
        {"template",
         {{"metadata", {{"labels", labels}}},
          {"spec", {{"containers", {{{"name", "pause"}, {"image", "registry.k8s.io/pause:3.9"}}}}}}}}}}};
  REQUIRE(kube.create(k_deployments, config->ns, dep).ok());
  Json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", name}}},
              {"spec", {{"selector", labels}, {"ports", {{{"port", 80}}}}}}};
  REQUIRE(kube.create(k_services, config->ns, svc).ok());
  std::string plan = "/tmp/" + name + ".yaml";
  std::ofstream(plan) << "apiVersion: sluice/v1\nkind: Plan\nmetadata:\n  name: " << name
                      << "\ntarget:\n  namespace: " << config->ns << "\n  deployment: " << name
                      << "\n  service: " << name
                      << "\nimage: registry.k8s.io/pause:3.10\nprogressDeadline: 3m\nstrategy:\n  canary:\n"
                         "    steps:\n      - setWeight: 50\n";
  std::string bin = std::getenv("SLUICE_BIN") != nullptr ? std::getenv("SLUICE_BIN") : "sluice";

  // diff first: the real API server's dry run of the canary Deployment, and nothing created
  auto diffed = sluice::test::run(bin, {"-o", "json", "--kubeconfig", kubeconfig_path(), "diff", plan}, {},
                                  std::chrono::minutes(2));
  INFO(diffed.out << diffed.err);
  CHECK(diffed.exit_code == 0);
  CHECK(diffed.out.find("\"type\":\"diff\"") != std::string::npos);
  CHECK(diffed.out.find("\"name\":\"" + name + "-canary\"") != std::string::npos);
  CHECK_FALSE(kube.get(k_deployments, config->ns, name + "-canary").ok());

  auto applied =
      sluice::test::run(bin, {"--kubeconfig", kubeconfig_path(), "apply", plan}, {}, std::chrono::minutes(5));
  INFO(applied.out << applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(image_of(kube, config->ns, name).rfind("registry.k8s.io/pause@sha256:", 0) == 0);

  auto back = sluice::test::run(bin, {"--kubeconfig", kubeconfig_path(), "rollback", name, "-n", config->ns},
                                {}, std::chrono::minutes(5));
  INFO(back.out << back.err);
  CHECK(back.exit_code == 0);
  CHECK(image_of(kube, config->ns, name) == "registry.k8s.io/pause:3.9");
  std::remove(plan.c_str());
}
