// The real kubectl against kubesim where a lenient simulator would let a tool
// pass that fails or does damage on a real cluster: server dry runs change
// nothing (apiserver registry dryrun.go), `scale` then `apply --server-side`
// conflicts on the scale subresource's manager (fieldmanager
// BuildManagerIdentifier), `apply` to Recreate drops rollingUpdate through
// $retainKeys (strategic merge patch), and kubectl's default strict field
// validation refuses unknown fields (KEP-2885).
#include "support/kubesim_fixture.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using sluice::test::Kubesim;
using sluice::test::RunResult;

namespace {

const char* const k_deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
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
)";

struct Cluster {
  Kubesim sim;

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = sim.dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  RunResult kubectl(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--kubeconfig", sim.kubeconfig_path()};
    full.insert(full.end(), args.begin(), args.end());
    return sluice::test::run(sluice::test::find_program("kubectl"), full, {"HOME=" + sim.dir()},
                             std::chrono::seconds(60));
  }
  std::string get(const std::string& jsonpath) {
    return kubectl({"get", "deploy", "web", "-o", "jsonpath=" + jsonpath}).out;
  }
};

bool have_kubectl() {
  if (!sluice::test::find_program("kubectl").empty()) return true;
  WARN("kubectl not found on PATH: skipping the kubectl fidelity test");
  return false;
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("kubectl --dry-run=server and diff change nothing on the server", "[kubectl][dryrun]") {
  if (!have_kubectl()) return;
  Cluster c;
  const std::string manifest = c.write("web.yaml", k_deployment);
  auto dry = c.kubectl({"apply", "--server-side", "--dry-run=server", "-f", manifest});
  INFO(dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(c.kubectl({"get", "deploy", "web"}).exit_code == 1);
  REQUIRE(c.kubectl({"apply", "-f", manifest}).exit_code == 0);
  CHECK(c.kubectl({"scale", "deploy/web", "--replicas=9", "--dry-run=server"}).exit_code == 0);
  const std::string changed = c.write("changed.yaml", with(k_deployment, "web:1", "web:2"));
  CHECK(c.kubectl({"diff", "-f", changed}).exit_code == 1);  // 1: differences found
  CHECK(c.kubectl({"delete", "deploy/web", "--dry-run=server"}).exit_code == 0);
  CHECK(c.get("{.spec.replicas} {.spec.template.spec.containers[0].image}") == "3 web:1");
  CHECK(c.get("{.metadata.generation}") == "1");
}

TEST_CASE("kubectl scale, then apply --server-side, conflicts on the scale subresource", "[kubectl][apply]") {
  if (!have_kubectl()) return;
  Cluster c;
  const std::string manifest = c.write("web.yaml", k_deployment);
  REQUIRE(c.kubectl({"apply", "--server-side", "-f", manifest}).exit_code == 0);
  REQUIRE(c.kubectl({"scale", "deploy/web", "--replicas=5"}).exit_code == 0);
  auto r = c.kubectl({"apply", "--server-side", "-f", manifest});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("Apply failed with 1 conflict: conflict with \"") != std::string::npos);
  CHECK(r.err.find("with subresource \"scale\" using apps/v1: .spec.replicas") != std::string::npos);
  CHECK(c.get("{.spec.replicas}") == "5");
}

TEST_CASE("kubectl apply switching to Recreate drops rollingUpdate", "[kubectl][apply]") {
  if (!have_kubectl()) return;
  Cluster c;
  REQUIRE(c.kubectl({"apply", "-f", c.write("web.yaml", k_deployment)}).exit_code == 0);
  CHECK(c.get("{.spec.strategy.rollingUpdate.maxSurge}") == "25%");
  const std::string recreate =
      with(k_deployment, "  replicas: 3\n", "  replicas: 3\n  strategy: {type: Recreate}\n");
  auto r = c.kubectl({"apply", "-f", c.write("recreate.yaml", recreate)});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(c.get("{.spec.strategy}") == "{\"type\":\"Recreate\"}");
}

TEST_CASE("kubectl's strict field validation refuses an unknown field", "[kubectl][validation]") {
  if (!have_kubectl()) return;
  Cluster c;
  const std::string typo = with(k_deployment, "  replicas: 3\n", "  replicas: 3\n  replica: 4\n");
  auto r = c.kubectl({"apply", "-f", c.write("typo.yaml", typo)});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("strict decoding error: unknown field \"spec.replica\"") != std::string::npos);
  auto warned = c.kubectl({"apply", "--validate=warn", "-f", c.write("typo.yaml", typo)});
  CHECK(warned.exit_code == 0);
  CHECK(warned.err.find("unknown field \"spec.replica\"") != std::string::npos);
}
