// Conformance tier, rollouts: the real kubectl's rollout status, history and
// undo against kubesim's simulated Deployment controller and kubelet.
#include "support/kubesim_fixture.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using sluice::test::Json;
using sluice::test::Kubesim;
using sluice::test::KubesimOptions;
using sluice::test::RunResult;

namespace {

std::string manifest(const std::string& image, int progress_deadline = 600) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
         "  progressDeadlineSeconds: " +
         std::to_string(progress_deadline) +
         "\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
         "    spec:\n      containers:\n      - name: web\n        image: " +
         image + "\n";
}

struct Cluster {
  Kubesim sim;
  std::string kubectl_bin = sluice::test::find_program("kubectl");

  explicit Cluster(const KubesimOptions& options) : sim(options) {}
  RunResult kubectl(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--kubeconfig", sim.kubeconfig_path()};
    full.insert(full.end(), args.begin(), args.end());
    return sluice::test::run(kubectl_bin, full, {"HOME=" + sim.dir()}, std::chrono::seconds(60));
  }
  RunResult apply(const std::string& text) {
    const std::string file = sim.dir() + "/deploy.yaml";
    std::ofstream(file) << text;
    return kubectl({"apply", "-f", file});
  }
};

KubesimOptions fast_cluster() {
  KubesimOptions options;
  options.sim_config = {{"default", {{"startupMs", 20}}},
                        {"timing", {{"controllerDelayMs", 2}, {"podDeleteMs", 5}}},
                        {"images", {{"never", {{"neverReady", true}}}}}};
  return options;
}

bool have_kubectl() {
  if (!sluice::test::find_program("kubectl").empty()) return true;
  WARN("kubectl not found on PATH: skipping the kubectl rollout conformance test");
  return false;
}

}  // namespace

TEST_CASE("kubectl rollout status waits until the Deployment is rolled out", "[kubectl][rollout]") {
  if (!have_kubectl()) return;
  Cluster c(fast_cluster());
  REQUIRE(c.apply(manifest("web:1")).exit_code == 0);
  auto status = c.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"});
  INFO(status.err);
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("deployment \"web\" successfully rolled out\n") != std::string::npos);
  auto get = c.kubectl({"get", "deploy", "web"});
  CHECK(get.out.find("web    3/3     3            3") != std::string::npos);
}

TEST_CASE("kubectl rollout status fails on the progress deadline of a never-ready image",
          "[kubectl][rollout]") {
  if (!have_kubectl()) return;
  Cluster c(fast_cluster());
  REQUIRE(c.apply(manifest("never:1", 2)).exit_code == 0);
  auto status = c.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"});
  CHECK(status.exit_code == 1);
  CHECK(status.err.find("error: deployment \"web\" exceeded its progress deadline") != std::string::npos);
}

TEST_CASE("kubectl rollout history and undo follow the revisions", "[kubectl][rollout]") {
  if (!have_kubectl()) return;
  Cluster c(fast_cluster());
  REQUIRE(c.apply(manifest("web:1")).exit_code == 0);
  REQUIRE(c.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}).exit_code == 0);
  REQUIRE(c.kubectl({"set", "image", "deployment/web", "web=web:2"}).exit_code == 0);
  REQUIRE(c.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}).exit_code == 0);
  auto history = c.kubectl({"rollout", "history", "deployment/web"});
  INFO(history.err);
  CHECK(history.exit_code == 0);
  CHECK(history.out ==
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n");
  auto undo = c.kubectl({"rollout", "undo", "deployment/web"});
  INFO(undo.err);
  CHECK(undo.exit_code == 0);
  CHECK(undo.out == "deployment.apps/web rolled back\n");
  REQUIRE(c.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}).exit_code == 0);
  CHECK(c.kubectl({"get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"}).out ==
        "web:1");
  auto after = c.kubectl({"rollout", "history", "deployment/web"});
  CHECK(after.out == "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n");
  auto rs = c.kubectl({"get", "rs", "-o", "name"});
  CHECK(std::count(rs.out.begin(), rs.out.end(), '\n') == 2);
}
