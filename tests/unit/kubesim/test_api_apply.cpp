// Server-side apply's manager identity and preconditions, and the update
// policy of each kind's registry strategy. Upstream: apiserver
// pkg/endpoints/handlers/fieldmanager (BuildManagerIdentifier, printManager,
// NewConflictError), pkg/registry/generic/registry/store.go (Update:
// AllowCreateOnUpdate, AllowUnconditionalUpdate), and
// pkg/registry/coordination/lease/strategy.go.
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

using sluice::test::api_only;
using sluice::test::config_map;
using sluice::test::Json;
using sluice::test::k_configmaps;
using sluice::test::k_deployments;
using sluice::test::Kubesim;

namespace {

const std::chrono::milliseconds k_bookmarks{200};
const std::string k_leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
const std::string k_apply = "application/apply-patch+yaml";

Json applied_deployment(int replicas) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "web"}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", "web"}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "web"}}}}},
              {"spec", {{"containers", {{{"name", "web"}, {"image", "web:1"}}}}}}}}}}};
}

Json lease(const std::string& name) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata", {{"name", name}}},
          {"spec", {{"holderIdentity", "a"}}}};
}

}  // namespace

TEST_CASE("apply after a scale by the same manager name conflicts with the scale subresource's manager",
          "[kubesim][api][apply]") {
  Kubesim sim(api_only(k_bookmarks));
  const std::string web = k_deployments + "/web";
  REQUIRE(sim.request("PATCH", web + "?fieldManager=kubectl", applied_deployment(3), k_apply).status == 201);
  auto scaled = sim.request("PATCH", web + "/scale?fieldManager=kubectl", {{"spec", {{"replicas", 5}}}},
                            "application/merge-patch+json");
  REQUIRE(scaled.status == 200);
  const Json managers = sim.get_object(web)["metadata"]["managedFields"];
  const auto scale_entry = std::find_if(managers.begin(), managers.end(),
                                        [](const Json& m) { return m.value("subresource", "") == "scale"; });
  REQUIRE(scale_entry != managers.end());
  CHECK((*scale_entry)["manager"] == "kubectl");
  CHECK((*scale_entry)["operation"] == "Update");

  auto r = sim.request("PATCH", web + "?fieldManager=kubectl", applied_deployment(3), k_apply);
  CHECK(r.status == 409);
  CHECK(r.body["message"] ==
        "Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: "
        ".spec.replicas");
  CHECK(r.body["details"]["causes"][0]["field"] == ".spec.replicas");
  CHECK(sim.get_object(web)["spec"]["replicas"] == 5);
  CHECK(
      sim.request("PATCH", web + "?fieldManager=kubectl&force=true", applied_deployment(3), k_apply).status ==
      200);
}

TEST_CASE("an applied body's resourceVersion is a precondition; the selector is one atomic field",
          "[kubesim][api][apply]") {
  Kubesim sim(api_only(k_bookmarks));
  const std::string web = k_deployments + "/web";
  auto made = sim.request("PATCH", web + "?fieldManager=a", applied_deployment(1), k_apply);
  REQUIRE(made.status == 201);
  Json stale = applied_deployment(2);
  stale["metadata"]["resourceVersion"] = "1";
  auto r = sim.request("PATCH", web + "?fieldManager=a", stale, k_apply);
  CHECK(r.status == 409);
  CHECK(r.body["reason"] == "Conflict");
  const Json fields = sim.get_object(web)["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"];
  CHECK(fields["f:selector"] == Json::object());
}

TEST_CASE("Lease updates need a resourceVersion; Leases and Services may be created by PUT",
          "[kubesim][api][apply]") {
  Kubesim sim(api_only(k_bookmarks));
  auto created = sim.request("PUT", k_leases + "/lock", lease("lock"));
  CHECK(created.status == 201);
  auto r = sim.request("PUT", k_leases + "/lock", lease("lock"));
  CHECK(r.status == 422);
  CHECK(r.body["message"] ==
        "Lease.coordination.k8s.io \"lock\" is invalid: metadata.resourceVersion: Invalid "
        "value: 0x0: must be specified for an update");
  Json with_rv = lease("lock");
  with_rv["metadata"]["resourceVersion"] = created.body["metadata"]["resourceVersion"];
  with_rv["spec"]["holderIdentity"] = "b";
  CHECK(sim.request("PUT", k_leases + "/lock", with_rv).status == 200);
  // ConfigMaps do not allow create-on-update (configmap strategy AllowCreateOnUpdate false).
  CHECK(sim.request("PUT", k_configmaps + "/c", config_map("c")).status == 404);
}
