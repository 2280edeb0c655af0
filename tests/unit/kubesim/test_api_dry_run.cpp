// dryRun=All on every write verb: the answer is what the write would return,
// and nothing is stored, no resourceVersion is consumed (so no watch event can
// exist) and the audit log marks the request as a dry run. Upstream:
// apiserver pkg/registry/generic/registry/dryrun.go (DryRunnableStorage) and
// the dryRun field of Create/Update/Patch/DeleteOptions (meta/v1 types.go).
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

using sluice::test::api_only;
using sluice::test::config_map;
using sluice::test::HttpResult;
using sluice::test::Json;
using sluice::test::k_configmaps;
using sluice::test::k_deployments;
using sluice::test::Kubesim;

namespace {

const std::chrono::milliseconds k_bookmarks{200};

std::string list_rv(Kubesim& sim) {
  return sim.get_object(k_configmaps)["metadata"]["resourceVersion"];
}

// Checks that `write` answered `code` and changed nothing the store keeps.
void check_nothing_stored(Kubesim& sim, const HttpResult& write, int code, const std::string& before_rv,
                          const Json& before) {
  CHECK(write.status == code);
  CHECK(list_rv(sim) == before_rv);
  CHECK(sim.get_object(k_deployments + "/web") == before);
}

}  // namespace

TEST_CASE("dryRun=All answers the write without storing it", "[kubesim][api][dryrun]") {
  Kubesim sim(api_only(k_bookmarks));
  sim.create_deployment("default", "web", "web:1", 2);
  const Json before = sim.get_object(k_deployments + "/web");
  const std::string rv = list_rv(sim);
  const std::string web = k_deployments + "/web";

  SECTION("create returns the object with identity but no resourceVersion, and stores nothing") {
    auto r = sim.request("POST", k_configmaps + "?dryRun=All", config_map("cfg"));
    CHECK(r.status == 201);
    CHECK(r.body["metadata"]["uid"].get<std::string>().size() == 36);
    CHECK_FALSE(r.body["metadata"].contains("resourceVersion"));
    CHECK(sim.get(k_configmaps + "/cfg").status == 404);
    Json existing = before;
    existing["metadata"].erase("resourceVersion");
    auto again = sim.request("POST", k_deployments + "?dryRun=All", existing);
    CHECK(again.status == 409);  // the dry run still checks the name is free
    check_nothing_stored(sim, r, 201, rv, before);
  }
  SECTION("update (PUT)") {
    Json changed = before;
    changed["spec"]["replicas"] = 5;
    auto r = sim.request("PUT", web + "?dryRun=All", changed);
    CHECK(r.body["spec"]["replicas"] == 5);
    CHECK(r.body["metadata"]["generation"] == 2);
    check_nothing_stored(sim, r, 200, rv, before);
  }
  SECTION("every patch type, server-side apply included") {
    const Json replicas = {{"spec", {{"replicas", 7}}}};
    for (const char* type : {"application/merge-patch+json", "application/strategic-merge-patch+json"}) {
      auto r = sim.request("PATCH", web + "?dryRun=All", replicas, type);
      CHECK(r.body["spec"]["replicas"] == 7);
      check_nothing_stored(sim, r, 200, rv, before);
    }
    auto json_patch =
        sim.request("PATCH", web + "?dryRun=All",
                    Json::array({{{"op", "replace"}, {"path", "/spec/replicas"}, {"value", 7}}}),
                    "application/json-patch+json");
    CHECK(json_patch.body["spec"]["replicas"] == 7);
    check_nothing_stored(sim, json_patch, 200, rv, before);
    const Json applied = config_map("applied");
    auto created = sim.request("PATCH", k_configmaps + "/applied?dryRun=All&fieldManager=m", applied,
                               "application/apply-patch+yaml");
    CHECK(created.status == 201);
    CHECK(sim.get(k_configmaps + "/applied").status == 404);
    check_nothing_stored(sim, created, 201, rv, before);
  }
  SECTION("the scale and status subresources") {
    auto scaled = sim.request("PATCH", web + "/scale?dryRun=All", {{"spec", {{"replicas", 9}}}},
                              "application/merge-patch+json");
    CHECK(scaled.body["spec"]["replicas"] == 9);
    check_nothing_stored(sim, scaled, 200, rv, before);
    Json status = before;
    status["status"] = {{"replicas", 2}, {"readyReplicas", 2}};
    auto r = sim.request("PUT", web + "/status?dryRun=All", status);
    CHECK(r.body["status"]["readyReplicas"] == 2);
    check_nothing_stored(sim, r, 200, rv, before);
  }
  SECTION("delete, with dryRun in the query or in the DeleteOptions body") {
    auto by_query = sim.request("DELETE", web + "?dryRun=All");
    check_nothing_stored(sim, by_query, 200, rv, before);
    auto by_body = sim.request("DELETE", web, {{"kind", "DeleteOptions"}, {"dryRun", {"All"}}});
    check_nothing_stored(sim, by_body, 200, rv, before);
    CHECK(by_body.body["status"] == "Success");
  }
  SECTION("deletecollection") {
    auto r = sim.request("DELETE", k_deployments + "?dryRun=All");
    CHECK(r.body["items"].size() == 1);
    check_nothing_stored(sim, r, 200, rv, before);
  }
}

TEST_CASE("the audit log marks dry runs, and dryRun accepts only All", "[kubesim][api][dryrun]") {
  Kubesim sim(api_only(k_bookmarks));
  const auto since = sim.audit()["next"].get<std::uint64_t>();
  REQUIRE(sim.request("POST", k_configmaps + "?dryRun=All", config_map("cfg")).status == 201);
  REQUIRE(sim.request("POST", k_configmaps, config_map("real")).status == 201);
  std::vector<bool> marked;
  const Json audit = sim.audit(since);
  for (const auto& entry : audit["requests"]) {
    if (entry["verb"] == "create") marked.push_back(entry.value("dryRun", false));
  }
  CHECK(marked == std::vector<bool>{true, false});
  // apimachinery ValidateDryRun: values other than "All" are refused.
  auto r = sim.request("POST", k_configmaps + "?dryRun=Some", config_map("x"));
  CHECK(r.status == 422);
  CHECK(r.body["message"] ==
        "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"Some\"}: supported "
        "values: \"All\"");
}
