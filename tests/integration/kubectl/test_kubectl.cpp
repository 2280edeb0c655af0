// Conformance tier: the real kubectl against kubesim. Each case asserts
// kubectl's exit code and output, so kubesim must answer as a real cluster
// would. Skipped with a warning where /usr/bin/kubectl is absent.
#include "support/kubesim_fixture.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using sluice::test::Json;
using sluice::test::Kubesim;
using sluice::test::RunResult;

namespace {

const char* const k_manifest = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:1
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
)";

std::string kubectl_path() {
  return sluice::test::find_program("kubectl");
}

struct Cluster {
  Kubesim sim;
  std::string manifest;

  Cluster() : sim() {
    manifest = sim.dir() + "/web.yaml";
    std::ofstream(manifest) << k_manifest;
  }
  RunResult kubectl(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--kubeconfig", sim.kubeconfig_path()};
    full.insert(full.end(), args.begin(), args.end());
    return sluice::test::run(kubectl_path(), full, {"HOME=" + sim.dir()}, std::chrono::seconds(60));
  }
};

bool have_kubectl() {
  if (!kubectl_path().empty()) return true;
  WARN("kubectl not found on PATH: skipping the kubectl conformance test");
  return false;
}

}  // namespace

TEST_CASE("kubectl apply creates, then leaves unchanged, a Deployment and a Service", "[kubectl]") {
  if (!have_kubectl()) return;
  Cluster c;
  auto created = c.kubectl({"apply", "-f", c.manifest});
  INFO(created.err);
  CHECK(created.exit_code == 0);
  CHECK(created.out == "deployment.apps/web created\nservice/web created\n");
  auto again = c.kubectl({"apply", "-f", c.manifest});
  CHECK(again.exit_code == 0);
  CHECK(again.out == "deployment.apps/web unchanged\nservice/web unchanged\n");

  auto get = c.kubectl({"get", "deploy"});
  CHECK(get.exit_code == 0);
  CHECK(get.out.rfind("NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    ", 0) == 0);
  auto svc = c.kubectl({"get", "svc", "web", "-o", "jsonpath={.spec.type} {.spec.ports[0].port}"});
  CHECK(svc.out == "ClusterIP 80");
  auto describe = c.kubectl({"describe", "deployment", "web"});
  CHECK(describe.exit_code == 0);
  CHECK(describe.out.find("Name:                   web\n") != std::string::npos);
  CHECK(describe.out.find("StrategyType:           RollingUpdate\n") != std::string::npos);
  CHECK(describe.out.find("Image:         web:1\n") != std::string::npos);
}

TEST_CASE("kubectl apply --server-side creates, and reports a conflicting field manager", "[kubectl]") {
  if (!have_kubectl()) return;
  Cluster c;
  auto applied = c.kubectl({"apply", "--server-side", "-f", c.manifest});
  INFO(applied.err);
  CHECK(applied.exit_code == 0);
  CHECK(applied.out == "deployment.apps/web serverside-applied\nservice/web serverside-applied\n");
  std::string changed = k_manifest;
  changed.replace(changed.find("replicas: 3"), 11, "replicas: 5");
  std::ofstream(c.sim.dir() + "/five.yaml") << changed;
  auto conflict =
      c.kubectl({"apply", "--server-side", "--field-manager=other", "-f", c.sim.dir() + "/five.yaml"});
  CHECK(conflict.exit_code == 1);
  CHECK(conflict.err.find("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas") !=
        std::string::npos);
  auto forced = c.kubectl({"apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f",
                           c.sim.dir() + "/five.yaml"});
  CHECK(forced.exit_code == 0);
  CHECK(c.kubectl({"get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"}).out == "5");
}

TEST_CASE("kubectl set image, scale and delete change the Deployment", "[kubectl]") {
  if (!have_kubectl()) return;
  Cluster c;
  REQUIRE(c.kubectl({"apply", "-f", c.manifest}).exit_code == 0);
  auto set = c.kubectl({"set", "image", "deployment/web", "web=web:2"});
  INFO(set.err);
  CHECK(set.exit_code == 0);
  CHECK(set.out == "deployment.apps/web image updated\n");
  CHECK(c.kubectl({"get", "deploy", "web", "-o",
                   "jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}"})
            .out == "web:2 2");
  auto scale = c.kubectl({"scale", "deployment/web", "--replicas=5"});
  CHECK(scale.exit_code == 0);
  CHECK(scale.out == "deployment.apps/web scaled\n");
  CHECK(c.kubectl({"get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"}).out == "5");
  auto deleted = c.kubectl({"delete", "-f", c.manifest});
  CHECK(deleted.exit_code == 0);
  CHECK(deleted.out == "deployment.apps \"web\" deleted\nservice \"web\" deleted\n");
  auto missing = c.kubectl({"get", "deployment", "web"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "Error from server (NotFound): deployments.apps \"web\" not found\n");
}

TEST_CASE("kubectl get -w prints a row for each change", "[kubectl]") {
  if (!have_kubectl()) return;
  Cluster c;
  REQUIRE(c.kubectl({"apply", "-f", c.manifest}).exit_code == 0);
  sluice::test::Process watch(kubectl_path(),
                              {"--kubeconfig", c.sim.kubeconfig_path(), "get", "deploy", "web", "-w"},
                              {"HOME=" + c.sim.dir()});
  REQUIRE(watch.wait_for_output("web ", std::chrono::seconds(20)));
  REQUIRE(c.kubectl({"scale", "deployment/web", "--replicas=7"}).exit_code == 0);
  CHECK(watch.wait_for_output("/7 ", std::chrono::seconds(20)));
  watch.terminate();
  const std::string out = watch.stdout_text();
  CHECK(out.rfind("NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n", 0) == 0);
  CHECK(std::count(out.begin(), out.end(), '\n') >= 3);
}

TEST_CASE("kubectl gets a proper error for bad input", "[kubectl]") {
  if (!have_kubectl()) return;
  Cluster c;
  std::string bad = k_manifest;
  bad.replace(bad.find("name: web"), 9, "name: Web_1");
  std::ofstream(c.sim.dir() + "/bad.yaml") << bad.substr(0, bad.find("---"));
  auto r = c.kubectl({"apply", "-f", c.sim.dir() + "/bad.yaml"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("The Deployment \"Web_1\" is invalid: metadata.name: Invalid value: \"Web_1\"") !=
        std::string::npos);
  auto ns = c.kubectl({"get", "pods", "-n", "nowhere"});
  CHECK(ns.exit_code == 0);
  CHECK(ns.err == "No resources found in nowhere namespace.\n");
}
