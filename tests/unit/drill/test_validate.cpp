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
  CHECK(out.str() == "{\"file\":\"" + drill +
                         "\",\"kind\":\"Drill\",\"valid\":true,\"errors\":0,\"contextsChecked\":true}\n");
  CHECK(err.str().empty());
}

TEST_CASE("without any kubeconfig a drill's contexts are not checked, and validate says so", "[drill]") {
  // CI validates plans where no cluster credentials exist: the shipped
  // examples failed `validate` there only because no kubeconfig was found.
  sluice::testing::TempDir dir("sluice-drill");
  const std::string drill = dir.write("drill.yaml", k_drill).string();
  const sluice::kube::Env no_kubeconfig{{"HOME", dir.path().string()}};
  std::ostringstream out;
  std::ostringstream err;
  CHECK(sluice::drill::validate_drill_file(drill, {"", "", no_kubeconfig}, false, out, err));
  CHECK(out.str() == drill + ": valid (contexts not checked: no kubeconfig found)\n");
  CHECK(err.str().empty());

  std::ostringstream json;
  CHECK(sluice::drill::validate_drill_file(drill, {"", "", no_kubeconfig}, true, json, err));
  CHECK(json.str() == "{\"file\":\"" + drill +
                          "\",\"kind\":\"Drill\",\"valid\":true,\"errors\":0,\"contextsChecked\":false}\n");
}
