// API semantics of kubesim over HTTP, against the embedded server with the
// controllers off so every object changes only when the test changes it.
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <httplib.h>

#include <thread>

using sluice::test::api_only;
using sluice::test::config_map;
using sluice::test::HttpResult;
using sluice::test::Json;
using sluice::test::k_configmaps;
using sluice::test::k_deployments;
using sluice::test::Kubesim;
using sluice::test::KubesimOptions;

namespace {

const std::chrono::milliseconds k_bookmarks{200};

std::vector<std::string> names(const Json& list) {
  std::vector<std::string> out;
  for (const auto& item : list["items"]) out.push_back(item["metadata"]["name"]);
  return out;
}

}  // namespace

TEST_CASE("errors are Status objects with the apiserver's wording", "[kubesim][api]") {
  Kubesim sim(api_only(k_bookmarks));
  SECTION("not found") {
    auto r = sim.get(k_deployments + "/nope");
    CHECK(r.status == 404);
    CHECK(r.body["kind"] == "Status");
    CHECK(r.body["reason"] == "NotFound");
    CHECK(r.body["message"] == "deployments.apps \"nope\" not found");
    CHECK(r.body["details"]["group"] == "apps");
  }
  SECTION("already exists") {
    sim.create_deployment("default", "web", "web:1", 1);
    Json again = sim.get_object(k_deployments + "/web");
    again["metadata"].erase("resourceVersion");
    auto r = sim.request("POST", k_deployments, again);
    CHECK(r.status == 409);
    CHECK(r.body["reason"] == "AlreadyExists");
    CHECK(r.body["message"] == "deployments.apps \"web\" already exists");
  }
  SECTION("invalid name and missing fields") {
    auto r = sim.request("POST", k_configmaps, config_map("Bad_Name"));
    CHECK(r.status == 422);
    CHECK(r.body["reason"] == "Invalid");
    CHECK(r.body["message"].get<std::string>().rfind(
              "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase "
              "RFC 1123 subdomain",
              0) == 0);
    Json no_image = {
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata", {{"name", "x"}}},
        {"spec",
         {{"selector", {{"matchLabels", {{"a", "b"}}}}},
          {"template",
           {{"metadata", {{"labels", {{"a", "b"}}}}}, {"spec", {{"containers", {{{"name", "c"}}}}}}}}}}};
    r = sim.request("POST", k_deployments, no_image);
    CHECK(r.status == 422);
    CHECK(r.body["message"] ==
          "Deployment.apps \"x\" is invalid: spec.template.spec.containers[0].image: Required value");
    CHECK(r.body["details"]["causes"][0]["field"] == "spec.template.spec.containers[0].image");
  }
  SECTION("a workload's selector is immutable, on update and on patch") {
    sim.create_deployment("default", "web", "web:1", 1);
    Json changed = sim.get_object(k_deployments + "/web");
    changed["spec"]["selector"]["matchLabels"]["v"] = "2";
    changed["spec"]["template"]["metadata"]["labels"]["v"] = "2";
    auto r = sim.request("PUT", k_deployments + "/web", changed);
    CHECK(r.status == 422);
    CHECK(r.body["details"]["causes"][0]["field"] == "spec.selector");
    CHECK(r.body["message"].get<std::string>().find("field is immutable") != std::string::npos);
    Json patch = {{"spec",
                   {{"selector", {{"matchLabels", {{"v", "2"}}}}},
                    {"template", {{"metadata", {{"labels", {{"v", "2"}}}}}}}}}};
    r = sim.request("PATCH", k_deployments + "/web", patch, "application/merge-patch+json");
    CHECK(r.status == 422);
    changed = sim.get_object(k_deployments + "/web");
    changed["spec"]["replicas"] = 2;  // the rest of the spec still changes
    CHECK(sim.request("PUT", k_deployments + "/web", changed).status == 200);
  }
  SECTION("missing namespace") {
    auto r = sim.request("POST", "/api/v1/namespaces/nowhere/configmaps", config_map("c"));
    CHECK(r.status == 404);
    CHECK(r.body["message"] == "namespaces \"nowhere\" not found");
  }
}

TEST_CASE("create fills identity, honours generateName, and PUT with a stale resourceVersion conflicts",
          "[kubesim][api]") {
  Kubesim sim(api_only(k_bookmarks));
  Json generated = config_map("");
  generated["metadata"].erase("name");
  generated["metadata"]["generateName"] = "cfg-";
  auto made = sim.request("POST", k_configmaps, generated);
  REQUIRE(made.status == 201);
  CHECK(made.body["metadata"]["name"].get<std::string>().rfind("cfg-", 0) == 0);
  CHECK(made.body["metadata"]["uid"].get<std::string>().size() == 36);

  Json web = sim.create_deployment("default", "web", "web:1", 2);
  CHECK(web["metadata"]["generation"] == 1);
  CHECK(web["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == "25%");
  Json stale = web;
  web["spec"]["replicas"] = 3;
  auto updated = sim.request("PUT", k_deployments + "/web", web);
  REQUIRE(updated.status == 200);
  CHECK(updated.body["metadata"]["generation"] == 2);
  stale["spec"]["replicas"] = 4;
  auto conflict = sim.request("PUT", k_deployments + "/web", stale);
  CHECK(conflict.status == 409);
  CHECK(conflict.body["reason"] == "Conflict");
  CHECK(conflict.body["message"] ==
        "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please "
        "apply your "
        "changes to the latest version and try again");
}

TEST_CASE("a selector that does not parse is a 400 in the apiserver's words", "[kubesim][api]") {
  Kubesim sim(api_only(k_bookmarks));
  auto message = [&](const std::string& query) {
    auto r = sim.get(k_configmaps + "?" + query);
    CHECK(r.status == 400);
    CHECK(r.body["reason"] == "BadRequest");
    return r.body["message"].get<std::string>();
  };
  CHECK(message("labelSelector=env%20in%20prod") ==
        "unable to parse requirement: found 'prod', expected: '('");
  CHECK(message("labelSelector=a%3Db,") == "found '', expected: identifier");
  CHECK(message("labelSelector=b%24d%3Dx") == "unable to parse requirement: invalid label key \"b$d\"");
  CHECK(message("fieldSelector=metadata.name%20in%20(a)") ==
        "invalid selector: 'metadata.name in (a)'; can't understand 'metadata.name in (a)'");
  CHECK(sim.get(k_configmaps + "?watch=true&labelSelector=a%3Db,").status == 400);
}

TEST_CASE("list filters by label and field selectors and pages with limit/continue", "[kubesim][api]") {
  Kubesim sim(api_only(k_bookmarks));
  REQUIRE(sim.request("POST", k_configmaps, config_map("a", {{"env", "prod"}, {"tier", "web"}})).status ==
          201);
  REQUIRE(sim.request("POST", k_configmaps, config_map("b", {{"env", "dev"}, {"tier", "db"}})).status == 201);
  REQUIRE(sim.request("POST", k_configmaps, config_map("c", {{"env", "qa"}, {"canary", "true"}})).status ==
          201);
  auto list = [&](const std::string& query) { return names(sim.get_object(k_configmaps + "?" + query)); };
  using V = std::vector<std::string>;
  CHECK(list("labelSelector=env%3Dprod") == V{"a"});
  CHECK(list("labelSelector=env%3D%3Dprod") == V{"a"});
  CHECK(list("labelSelector=tier!%3Ddb") == V{"a", "c"});
  CHECK(list("labelSelector=env%20in%20(dev,qa)") == V{"b", "c"});
  CHECK(list("labelSelector=env%20notin%20(dev,qa)") == V{"a"});
  CHECK(list("labelSelector=canary") == V{"c"});
  CHECK(list("labelSelector=!canary") == V{"a", "b"});
  CHECK(list("fieldSelector=metadata.name%3Db") == V{"b"});
  CHECK(list("fieldSelector=metadata.namespace%3Ddefault,metadata.name!%3Db") == V{"a", "c"});
  CHECK(sim.get("/api/v1/configmaps?fieldSelector=metadata.namespace%3Dother").body["items"].empty());

  Json page = sim.get_object(k_configmaps + "?limit=2");
  CHECK(names(page) == V{"a", "b"});
  const std::string token = page["metadata"]["continue"];
  Json rest = sim.get_object(k_configmaps + "?limit=2&continue=" + token);
  CHECK(names(rest) == V{"c"});
  CHECK_FALSE(rest["metadata"].contains("continue"));
}

TEST_CASE("each patch type changes what it should", "[kubesim][api]") {
  Kubesim sim(api_only(k_bookmarks));
  sim.create_deployment("default", "web", "web:1", 2);
  const std::string path = k_deployments + "/web";
  SECTION("JSON patch") {
    auto r = sim.request("PATCH", path,
                         Json::array({{{"op", "replace"}, {"path", "/spec/replicas"}, {"value", 5}}}),
                         "application/json-patch+json");
    REQUIRE(r.status == 200);
    CHECK(r.body["spec"]["replicas"] == 5);
    auto failed =
        sim.request("PATCH", path, Json::array({{{"op", "test"}, {"path", "/spec/replicas"}, {"value", 9}}}),
                    "application/json-patch+json");
    CHECK(failed.status == 422);
  }
  SECTION("merge patch replaces lists and deletes with null") {
    auto r = sim.request("PATCH", path, {{"metadata", {{"labels", {{"app", nullptr}, {"team", "a"}}}}}},
                         "application/merge-patch+json");
    REQUIRE(r.status == 200);
    CHECK(r.body["metadata"]["labels"] == Json{{"team", "a"}});
  }
  SECTION("strategic merge patch merges containers by name") {
    Json add_sidecar = {
        {"spec", {{"template", {{"spec", {{"containers", {{{"name", "log"}, {"image", "log:1"}}}}}}}}}}};
    auto r = sim.request("PATCH", path, add_sidecar, "application/strategic-merge-patch+json");
    REQUIRE(r.status == 200);
    CHECK(r.body["spec"]["template"]["spec"]["containers"].size() == 2);
    Json set_image = {
        {"spec", {{"template", {{"spec", {{"containers", {{{"name", "web"}, {"image", "web:2"}}}}}}}}}}};
    r = sim.request("PATCH", path, set_image, "application/strategic-merge-patch+json");
    const Json containers = r.body["spec"]["template"]["spec"]["containers"];
    REQUIRE(containers.size() == 2);
    CHECK(containers[0]["image"] == "web:2");
    CHECK(containers[0]["ports"][0]["containerPort"] == 8080);
    CHECK(r.body["metadata"]["generation"] == 3);
    Json remove = {
        {"spec", {{"template", {{"spec", {{"containers", {{{"name", "log"}, {"$patch", "delete"}}}}}}}}}}};
    r = sim.request("PATCH", path, remove, "application/strategic-merge-patch+json");
    CHECK(r.body["spec"]["template"]["spec"]["containers"].size() == 1);
  }
  SECTION("unknown patch type") {
    CHECK(sim.request("PATCH", path, Json::object(), "text/plain").status == 415);
  }
}

TEST_CASE("server-side apply needs a field manager and reports conflicts", "[kubesim][api]") {
  Kubesim sim(api_only(k_bookmarks));
  Json config = {{"apiVersion", "v1"},
                 {"kind", "ConfigMap"},
                 {"metadata", {{"name", "cfg"}}},
                 {"data", {{"color", "blue"}}}};
  const std::string path = k_configmaps + "/cfg";
  auto no_manager = sim.request("PATCH", path, config, "application/apply-patch+yaml");
  CHECK(no_manager.status == 422);
  CHECK(
      no_manager.body["message"] ==
      "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
  auto created = sim.request("PATCH", path + "?fieldManager=alice", config, "application/apply-patch+yaml");
  REQUIRE(created.status == 201);
  config["data"]["color"] = "red";
  auto conflict = sim.request("PATCH", path + "?fieldManager=bob", config, "application/apply-patch+yaml");
  CHECK(conflict.status == 409);
  CHECK(conflict.body["message"] == "Apply failed with 1 conflict: conflict with \"alice\": .data.color");
  CHECK(conflict.body["details"]["causes"][0]["reason"] == "FieldManagerConflict");
  CHECK(conflict.body["details"]["causes"][0]["field"] == ".data.color");
  auto forced =
      sim.request("PATCH", path + "?fieldManager=bob&force=true", config, "application/apply-patch+yaml");
  REQUIRE(forced.status == 200);
  CHECK(forced.body["data"]["color"] == "red");
  SECTION("the same value is shared, not a conflict") {
    auto shared = sim.request("PATCH", path + "?fieldManager=carol", config, "application/apply-patch+yaml");
    CHECK(shared.status == 200);
  }
  SECTION("fields a manager stops applying are removed") {
    Json smaller = config;
    smaller["data"] = {{"size", "xl"}};
    auto r = sim.request("PATCH", path + "?fieldManager=bob", smaller, "application/apply-patch+yaml");
    REQUIRE(r.status == 200);
    CHECK(r.body["data"] == Json{{"size", "xl"}});
  }
}

TEST_CASE("the scale subresource reads and writes spec.replicas", "[kubesim][api]") {
  Kubesim sim(api_only(k_bookmarks));
  sim.create_deployment("default", "web", "web:1", 2);
  Json scale = sim.get_object(k_deployments + "/web/scale");
  CHECK(scale["kind"] == "Scale");
  CHECK(scale["apiVersion"] == "autoscaling/v1");
  CHECK(scale["spec"]["replicas"] == 2);
  CHECK(scale["status"]["selector"] == "app=web");
  auto patched = sim.request("PATCH", k_deployments + "/web/scale", {{"spec", {{"replicas", 7}}}},
                             "application/merge-patch+json");
  REQUIRE(patched.status == 200);
  CHECK(patched.body["spec"]["replicas"] == 7);
  CHECK(sim.get_object(k_deployments + "/web")["spec"]["replicas"] == 7);
  scale["spec"]["replicas"] = 1;  // stale resourceVersion
  CHECK(sim.request("PUT", k_deployments + "/web/scale", scale).status == 409);
}

TEST_CASE("status writes go through /status only", "[kubesim][api]") {
  Kubesim sim(api_only(k_bookmarks));
  Json web = sim.create_deployment("default", "web", "web:1", 2);
  web["status"] = {{"replicas", 2}};
  auto r = sim.request("PUT", k_deployments + "/web", web);
  CHECK_FALSE(r.body.contains("status"));
  web = r.body;
  web["status"] = {{"replicas", 2}};
  r = sim.request("PUT", k_deployments + "/web/status", web);
  CHECK(r.body["status"]["replicas"] == 2);
  CHECK(r.body["metadata"]["generation"] == 1);
}

TEST_CASE("delete cascades by ownerReferences unless orphaning", "[kubesim][api]") {
  Kubesim sim(api_only(k_bookmarks));
  Json owner = sim.create_deployment("default", "web", "web:1", 1);
  Json dependent = config_map("dep");
  dependent["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                               {"kind", "Deployment"},
                                               {"name", "web"},
                                               {"uid", owner["metadata"]["uid"]},
                                               {"controller", true}}};
  REQUIRE(sim.request("POST", k_configmaps, dependent).status == 201);
  SECTION("background") {
    auto r = sim.request("DELETE", k_deployments + "/web", {{"propagationPolicy", "Background"}});
    CHECK(r.status == 200);
    CHECK(r.body["status"] == "Success");
    CHECK(sim.get(k_configmaps + "/dep").status == 404);
  }
  SECTION("orphan") {
    REQUIRE(sim.request("DELETE", k_deployments + "/web?propagationPolicy=Orphan").status == 200);
    auto kept = sim.get(k_configmaps + "/dep");
    REQUIRE(kept.status == 200);
    CHECK_FALSE(kept.body["metadata"].contains("ownerReferences"));
  }
  CHECK(sim.request("DELETE", k_deployments + "/web").status == 404);
}
