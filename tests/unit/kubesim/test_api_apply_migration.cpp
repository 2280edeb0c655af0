// Moving from client-side to server-side apply, and applied fields that a
// later apply drops. Upstream: apimachinery pkg/util/managedfields/internal
// (fieldmanager.go Update: managedFields sent by a client replace the live
// ones; lastappliedmanager.go: a `kubectl` apply may take over the fields the
// last-applied-configuration annotation still matches), client-go
// util/csaupgrade (the JSON patch kubectl >= 1.26 sends), and
// structured-merge-diff (an applier's maps go with its last field).
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

using sluice::test::api_only;
using sluice::test::Json;
using sluice::test::k_deployments;
using sluice::test::Kubesim;

namespace {

const std::chrono::milliseconds k_bookmarks{200};
const std::string k_apply = "application/apply-patch+yaml";
const std::string k_web = k_deployments + "/web";

Json deployment(int replicas, const Json& strategy = Json()) {
  Json d = {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", "web"}}},
            {"spec",
             {{"replicas", replicas},
              {"selector", {{"matchLabels", {{"app", "web"}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", "web"}}}}},
                {"spec", {{"containers", {{{"name", "web"}, {"image", "web:1"}}}}}}}}}}};
  if (!strategy.is_null()) d["spec"]["strategy"] = strategy;
  return d;
}

// What `kubectl apply` (client-side) creates: the object with its
// last-applied-configuration annotation, written by kubectl-client-side-apply.
void client_side_apply(Kubesim& sim, int replicas) {
  Json object = deployment(replicas);
  object["metadata"]["annotations"] = {
      {"kubectl.kubernetes.io/last-applied-configuration", deployment(replicas).dump()}};
  REQUIRE(sim.request("POST", k_deployments + "?fieldManager=kubectl-client-side-apply", object).status ==
          201);
}

std::vector<std::string> managers(const Json& object) {
  std::vector<std::string> out;
  for (const auto& m : object["metadata"]["managedFields"])
    out.push_back(m["manager"].get<std::string>() + "/" + m["operation"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("managedFields a client writes replace the live ones, as kubectl's csaupgrade patch needs",
          "[kubesim][api][apply]") {
  Kubesim sim(api_only(k_bookmarks));
  client_side_apply(sim, 2);
  const Json live = sim.get_object(k_web);
  Json entries = live["metadata"]["managedFields"];
  REQUIRE(entries.size() == 1);
  entries[0]["manager"] = "kubectl";
  entries[0]["operation"] = "Apply";
  const Json patch = {
      {{"op", "test"}, {"path", "/metadata/resourceVersion"}, {"value", live["metadata"]["resourceVersion"]}},
      {{"op", "replace"}, {"path", "/metadata/managedFields"}, {"value", entries}}};
  REQUIRE(
      sim.request("PATCH", k_web + "?fieldManager=kubectl", patch, "application/json-patch+json").status ==
      200);
  CHECK(managers(sim.get_object(k_web)) == std::vector<std::string>{"kubectl/Apply"});

  auto applied = sim.request("PATCH", k_web + "?fieldManager=kubectl", deployment(3), k_apply);
  REQUIRE(applied.status == 200);
  CHECK(applied.body["spec"]["replicas"] == 3);
}

TEST_CASE("kubectl's first server-side apply takes over what client-side apply last applied",
          "[kubesim][api][apply]") {
  Kubesim sim(api_only(k_bookmarks));
  client_side_apply(sim, 2);

  SECTION("the fields still as last applied move to kubectl") {
    auto r = sim.request("PATCH", k_web + "?fieldManager=kubectl", deployment(3), k_apply);
    REQUIRE(r.status == 200);
    CHECK(r.body["spec"]["replicas"] == 3);
    // Forced as far as replicas go; the fields both set alike stay shared
    // until kubectl's csaupgrade patch moves the rest.
    CHECK(managers(r.body) == std::vector<std::string>{"kubectl-client-side-apply/Update", "kubectl/Apply"});
    CHECK_FALSE(r.body["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"].contains("f:replicas"));
  }
  SECTION("another manager still conflicts") {
    auto r = sim.request("PATCH", k_web + "?fieldManager=other", deployment(3), k_apply);
    CHECK(r.status == 409);
    CHECK(r.body["message"] ==
          "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: "
          ".spec.replicas");
  }
  SECTION("a field changed since the last apply still conflicts") {
    REQUIRE(sim.request("PATCH", k_web + "?fieldManager=kubectl-client-side-apply",
                        {{"spec", {{"replicas", 5}}}}, "application/merge-patch+json")
                .status == 200);
    auto r = sim.request("PATCH", k_web + "?fieldManager=kubectl", deployment(3), k_apply);
    CHECK(r.status == 409);
    CHECK(r.body["details"]["causes"].size() == 1);
    CHECK(r.body["details"]["causes"][0]["field"] == ".spec.replicas");
  }
}

TEST_CASE("applying Recreate drops the rollingUpdate the applier wrote, not a defaulted one",
          "[kubesim][api][apply]") {
  Kubesim sim(api_only(k_bookmarks));
  const Json recreate = {{"type", "Recreate"}};

  SECTION("applied rollingUpdate") {
    const Json rolling = {{"type", "RollingUpdate"},
                          {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 0}}}};
    REQUIRE(sim.request("PATCH", k_web + "?fieldManager=a", deployment(2, rolling), k_apply).status == 201);
    auto r = sim.request("PATCH", k_web + "?fieldManager=a", deployment(2, recreate), k_apply);
    REQUIRE(r.status == 200);
    CHECK(r.body["spec"]["strategy"] == recreate);
  }
  SECTION("defaulted rollingUpdate: nobody owns it, so it stays and validation refuses") {
    REQUIRE(sim.request("PATCH", k_web + "?fieldManager=a", deployment(2), k_apply).status == 201);
    auto r = sim.request("PATCH", k_web + "?fieldManager=a", deployment(2, recreate), k_apply);
    CHECK(r.status == 422);
    CHECK(r.body["message"] ==
          "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate: Forbidden: may "
          "not be specified when strategy `type` is 'Recreate'");
  }
}
