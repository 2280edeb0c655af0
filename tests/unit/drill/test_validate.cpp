// `sluice validate DRILL`: every context the drill names must be in the
// kubeconfig; a missing one is reported where the drill names it.
#include <sluice/drill/validate.hpp>
#include <sluice/plan/drill_parser.hpp>

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

#include <sstream>

namespace {

const char* const k_kubeconfig = R"(apiVersion: v1
kind: Config
clusters:
  - {name: c, cluster: {server: "http://127.0.0.1:1"}}
users:
  - {name: u, user: {token: t}}
contexts:
  - {name: eu-1, context: {cluster: c, user: u}}
  - {name: us-1, context: {cluster: c, user: u}}
current-context: eu-1
)";

const char* const k_drill = R"(apiVersion: sluice/v1
kind: Drill
metadata: {name: web-dr}
service:
  - {name: eu, context: eu-1, namespace: shop, deployment: web}
  - {name: us, context: us-2, namespace: shop, deployment: web}
record: {context: eu-1, namespace: shop}
director: none
failover: {from: eu}
)";

}  // namespace

TEST_CASE("validating a drill reports a context the kubeconfig lacks at its place", "[drill]") {
  sluice::testing::TempDir dir("sluice-drill");
  const std::string kubeconfig = dir.write("kubeconfig", k_kubeconfig).string();
  const std::string drill = dir.write("drill.yaml", k_drill).string();
  std::ostringstream out;
  std::ostringstream err;
  CHECK_FALSE(
      sluice::drill::validate_drill_file(drill, {kubeconfig, "", sluice::kube::Env{}}, false, out, err));
  CHECK(err.str() ==
        drill + ":6:25: service[1].context: kubeconfig (" + kubeconfig + "): context \"us-2\" not found\n");
  CHECK(out.str().empty());
}

TEST_CASE("a drill whose contexts all resolve is valid", "[drill]") {
  sluice::testing::TempDir dir("sluice-drill");
  const std::string kubeconfig = dir.write("kubeconfig", k_kubeconfig).string();
  std::string text = k_drill;
  text.replace(text.find("us-2"), 4, "us-1");
  const std::string drill = dir.write("drill.yaml", text).string();
  std::ostringstream out;
  std::ostringstream err;
  CHECK(sluice::drill::validate_drill_file(drill, {kubeconfig, "", sluice::kube::Env{}}, true, out, err));
  CHECK(out.str() == "{\"file\":\"" + drill + "\",\"kind\":\"Drill\",\"valid\":true,\"errors\":0}\n");
  CHECK(err.str().empty());
}
