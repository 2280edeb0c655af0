// Finalizers, namespace termination, garbage collection of every kind,
// adoption of orphans, server defaults and patch error text. Upstream:
// apiserver registry/generic/registry/store.go (finalizers, graceful
// deletion), pkg/controller/garbagecollector, pkg/controller/deployment
// (ClaimReplicaSets), core/v1 defaults.go and conversion (Secret stringData),
// apimachinery resource.Quantity, strategic merge patch ($retainKeys) and
// apiserver patch.go (JSON patch failures).
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <thread>

using sluice::test::api_only;
using sluice::test::config_map;
using sluice::test::Json;
using sluice::test::k_configmaps;
using sluice::test::k_deployments;
using sluice::test::Kubesim;

namespace {

const std::chrono::milliseconds k_bookmarks{200};

// Polls `done` (bounded: 400 tries, 25 ms apart); the assertion is on the state, not the time.
template <typename F>
bool eventually(F done) {
  for (int i = 0; i < 400; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return done();
}

}  // namespace

TEST_CASE("finalizers hold a deleted object until the last one is removed", "[kubesim][api][lifecycle]") {
  Kubesim sim(api_only(k_bookmarks));
  Json held = config_map("held");
  held["metadata"]["finalizers"] = {"example.com/cleanup"};
  REQUIRE(sim.request("POST", k_configmaps, held).status == 201);
  auto deleted = sim.request("DELETE", k_configmaps + "/held");
  CHECK(deleted.status == 200);
  CHECK(deleted.body["kind"] == "ConfigMap");
  CHECK(deleted.body["metadata"].contains("deletionTimestamp"));
  CHECK(deleted.body["metadata"]["deletionGracePeriodSeconds"] == 0);
  CHECK(sim.get(k_configmaps + "/held").status == 200);
  auto released = sim.request("PATCH", k_configmaps + "/held", {{"metadata", {{"finalizers", nullptr}}}},
                              "application/merge-patch+json");
  CHECK(released.status == 200);
  CHECK(sim.get(k_configmaps + "/held").status == 404);
}

TEST_CASE("a namespace is Terminating while its contents go", "[kubesim][api][lifecycle]") {
  Kubesim sim(api_only(k_bookmarks));
  Json ns = sim.create_namespace("team");
  CHECK(ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "team");
  REQUIRE(sim.request("POST", "/api/v1/namespaces/team/configmaps", config_map("c")).status == 201);
  const std::string rv = ns["metadata"]["resourceVersion"];
  auto r = sim.request("DELETE", "/api/v1/namespaces/team");
  CHECK(r.status == 200);
  CHECK(r.body["status"]["phase"] == "Terminating");
  auto watched = sim.get("/api/v1/namespaces?watch=true&timeoutSeconds=1&resourceVersion=" + rv);
  CHECK(sim.get("/api/v1/namespaces/team").status == 404);
  CHECK(sim.get("/api/v1/namespaces/team/configmaps/c").status == 404);
  const std::string stream = watched.body.is_string() ? watched.body.get<std::string>() : watched.body.dump();
  CHECK(stream.find("\"Terminating\"") != std::string::npos);
  CHECK(stream.find("\"DELETED\"") != std::string::npos);
}

TEST_CASE("the garbage collector deletes dependents of any kind; a Deployment adopts orphans",
          "[kubesim][api][lifecycle]") {
  Kubesim sim;
  Json web = sim.create_deployment("default", "web", "web:1", 2);
  Json owned = config_map("owned");
  owned["metadata"]["ownerReferences"] = {
      {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"}, {"uid", web["metadata"]["uid"]}}};
  REQUIRE(sim.request("POST", k_configmaps, owned).status == 201);
  const std::string rs_path = "/apis/apps/v1/namespaces/default/replicasets";
  REQUIRE(eventually([&] { return sim.get_object(rs_path)["items"].size() == 1; }));
  REQUIRE(sim.request("DELETE", k_deployments + "/web?propagationPolicy=Orphan").status == 200);
  const Json orphan = sim.get_object(rs_path)["items"][0];
  CHECK_FALSE(orphan["metadata"].contains("ownerReferences"));
  CHECK(sim.get(k_configmaps + "/owned").status == 200);  // orphaned, not collected

  Json again = sim.create_deployment("default", "web", "web:1", 2);
  CHECK(eventually([&] {
    const Json items = sim.get_object(rs_path)["items"];
    return items.size() == 1 && items[0]["metadata"].contains("ownerReferences") &&
           items[0]["metadata"]["ownerReferences"][0]["uid"] == again["metadata"]["uid"];
  }));
  Json owned_again = sim.get_object(k_configmaps + "/owned");
  CHECK_FALSE(owned_again["metadata"].contains("ownerReferences"));  // Orphan removed it
  owned["metadata"]["ownerReferences"][0]["uid"] = again["metadata"]["uid"];
  owned_again["metadata"]["ownerReferences"] = owned["metadata"]["ownerReferences"];
  REQUIRE(sim.request("PUT", k_configmaps + "/owned", owned_again).status == 200);
  REQUIRE(sim.request("DELETE", k_deployments + "/web").status == 200);
  CHECK(eventually([&] { return sim.get(k_configmaps + "/owned").status == 404; }));
}

TEST_CASE("server defaults: Secret stringData, canonical quantities, requests from limits",
          "[kubesim][api][lifecycle]") {
  Kubesim sim(api_only(k_bookmarks));
  Json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "s"}}},
                 {"stringData", {{"user", "admin"}}}};
  auto s = sim.request("POST", "/api/v1/namespaces/default/secrets", secret);
  REQUIRE(s.status == 201);
  CHECK(s.body["data"]["user"] == "YWRtaW4=");
  CHECK_FALSE(s.body.contains("stringData"));
  CHECK(s.body["type"] == "Opaque");
  CHECK_FALSE(s.body["metadata"].contains("generation"));

  Json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "p"}}},
      {"spec",
       {{"containers",
         {{{"name", "c"},
           {"image", "i:1"},
           {"resources",
            {{"limits", {{"cpu", "1000m"}, {"memory", "1024Mi"}}}, {"requests", {{"cpu", "0.5"}}}}}}}}}}};
  auto p = sim.request("POST", "/api/v1/namespaces/default/pods", pod);
  REQUIRE(p.status == 201);
  const Json resources = p.body["spec"]["containers"][0]["resources"];
  CHECK(resources["limits"] == Json{{"cpu", "1"}, {"memory", "1Gi"}});
  CHECK(resources["requests"] == Json{{"cpu", "500m"}, {"memory", "1Gi"}});
  CHECK(p.body["spec"]["enableServiceLinks"] == true);
  CHECK_FALSE(p.body["metadata"].contains("generation"));
}

TEST_CASE("patches: $retainKeys clears unlisted fields; a JSON patch that does not apply is a generic 422",
          "[kubesim][api][lifecycle]") {
  Kubesim sim(api_only(k_bookmarks));
  sim.create_deployment("default", "web", "web:1", 1);
  const Json recreate = {{"spec", {{"strategy", {{"$retainKeys", {"type"}}, {"type", "Recreate"}}}}}};
  auto r = sim.request("PATCH", k_deployments + "/web", recreate, "application/strategic-merge-patch+json");
  REQUIRE(r.status == 200);
  CHECK(r.body["spec"]["strategy"] == Json{{"type", "Recreate"}});

  auto bad = sim.request("PATCH", k_deployments + "/web",
                         Json::array({{{"op", "replace"}, {"path", "/spec/nothing/here"}, {"value", 1}}}),
                         "application/json-patch+json");
  CHECK(bad.status == 422);
  CHECK(bad.body["message"] == "the server rejected our request due to an error in our request");
  CHECK(bad.body["details"]["causes"][0]["message"] ==
        "replace operation does not apply: doc is missing path: \"/spec/nothing/here\": missing value");
}
