#include <sluice/engine/objects.hpp>

#include <catch2/catch.hpp>

using namespace sluice::engine;

namespace {
Json deployment() {
  return Json::parse(R"({
    "metadata": {"name": "web", "namespace": "prod", "uid": "u1", "labels": {"app": "web"},
                 "annotations": {"deployment.kubernetes.io/revision": "3"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "app", "image": "r/web:1"}, {"name": "proxy", "image": "envoy"}]}}},
    "status": {"updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 2}
  })");
}
}  // namespace

TEST_CASE("the target container is found by name, or is the only one") {
  auto d = deployment();
  CHECK(*container_index(d, "proxy") == 1);
  auto none = container_index(d, "db");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message == "deployment web has no container named 'db'");
  auto ambiguous = container_index(d, "");
  REQUIRE_FALSE(ambiguous.ok());
  CHECK(ambiguous.error().message ==
        "deployment web has several containers; set target.container in the plan");
  CHECK(container_image(d, 0) == "r/web:1");
}

TEST_CASE("the preview deployment copies the live one with the new image and its own version label") {
  auto p = make_preview_deployment(deployment(), "web-abc", "web", "abc", 0, "r/web@sha256:2", 3);
  CHECK(p["metadata"]["name"] == "web-abc");
  CHECK(p["metadata"]["namespace"] == "prod");
  CHECK(p["spec"]["replicas"] == 3);
  CHECK(p["spec"]["selector"]["matchLabels"] == Json{{"app", "web"}, {k_version_label, "abc"}});
  CHECK(p["spec"]["template"]["metadata"]["labels"][k_version_label] == "abc");
  CHECK(p["spec"]["template"]["spec"]["containers"][0]["image"] == "r/web@sha256:2");
  CHECK(p["spec"]["template"]["spec"]["containers"][1]["image"] == "envoy");
  CHECK_FALSE(p["metadata"].contains("uid"));
}

TEST_CASE("selectors print sorted and take extra keys") {
  CHECK(selector_string(Json{{"b", "2"}, {"a", "1"}}) == "a=1,b=2");
  CHECK(selector_with(Json{{"app", "web"}}, "pod-template-hash", "h") ==
        Json{{"app", "web"}, {"pod-template-hash", "h"}});
  CHECK(version_id("r/web@sha256:2").size() == 10);
  CHECK(version_id("a") != version_id("b"));
}

TEST_CASE("the current ReplicaSet is the owned one at the deployment's revision") {
  auto rs = [](const std::string& uid, const std::string& rev, const std::string& hash) {
    return Json{{"metadata",
                 {{"ownerReferences", Json::array({{{"uid", uid}, {"controller", true}}})},
                  {"annotations", {{"deployment.kubernetes.io/revision", rev}}},
                  {"labels", {{"pod-template-hash", hash}}}}}};
  };
  std::vector<Json> sets{rs("u1", "2", "old"), rs("u2", "3", "foreign"), rs("u1", "3", "cur")};
  CHECK(current_template_hash(deployment(), sets) == "cur");
  CHECK(current_template_hash(deployment(), {rs("u1", "2", "old")}).empty());
}

TEST_CASE("ready counts come from the deployment status") {
  auto c = ready_counts(deployment());
  CHECK(c.desired == 3);
  CHECK(c.ready == 3);
  CHECK(c.available == 2);
}

TEST_CASE("pods are matched to a version by the image they run") {
  Json a{{"spec", {{"containers", Json::array({{{"image", "x"}}})}}}};
  Json b{{"spec", {{"containers", Json::array({{{"image", "y"}}})}}}};
  CHECK(pods_running({a, b}, "y").size() == 1);
}

TEST_CASE("HTTPRoute backend weights: the canary is added beside stable, existing weights are set") {
  RouteBackends backends{"shop", "web", "web-canary"};
  auto route = [](Json rules) { return Json{{"spec", {{"rules", rules}}}}; };
  SECTION("the canary backend is added with the stable ref's port") {
    Json r = route({{{"backendRefs", {{{"name", "web"}, {"port", 8080}}}}}});
    CHECK(set_backend_weights(r, backends, 90, 10) == 1);
    auto refs = r["spec"]["rules"][0]["backendRefs"];
    CHECK(refs == Json::parse(R"([{"name":"web","port":8080,"weight":90},
                                   {"name":"web-canary","port":8080,"weight":10}])"));
  }
  SECTION("an existing canary backend is reweighted, not duplicated") {
    Json r = route(
        {{{"backendRefs", {{{"name", "web"}, {"weight", 50}}, {{"name", "web-canary"}, {"weight", 50}}}}}});
    CHECK(set_backend_weights(r, backends, 100, 0) == 1);
    CHECK(r["spec"]["rules"][0]["backendRefs"].size() == 2);
    CHECK(r["spec"]["rules"][0]["backendRefs"][1]["weight"] == 0);
  }
  SECTION("rules for other Services, other namespaces or other kinds are left alone") {
    Json r = route({{{"backendRefs", {{{"name", "api"}}}}},
                    {{"backendRefs", {{{"name", "web"}, {"namespace", "other"}}}}},
                    {{"backendRefs",
                      {{{"name", "web"}, {"kind", "ServiceImport"}, {"group", "multicluster.x-k8s.io"}}}}},
                    {{"backendRefs", {{{"name", "web"}, {"namespace", "shop"}}}}}});
    Json before = r;
    CHECK(set_backend_weights(r, backends, 80, 20) == 1);
    for (int i = 0; i < 3; ++i) CHECK(r["spec"]["rules"][i] == before["spec"]["rules"][i]);
    CHECK(r["spec"]["rules"][3]["backendRefs"].size() == 2);
  }
  SECTION("a route that never reaches the stable Service changes nothing") {
    Json r = route({{{"backendRefs", {{{"name", "api"}}}}}});
    Json before = r;
    CHECK(set_backend_weights(r, backends, 90, 10) == 0);
    CHECK(r == before);
    Json empty = Json::object();
    CHECK(set_backend_weights(empty, backends, 90, 10) == 0);
  }
}

TEST_CASE("a recorded template is written back without the ReplicaSet's hash label") {
  Json recorded = Json::parse(R"({"metadata": {"labels": {"app": "web", "pod-template-hash": "5d9c"}},
                                  "spec": {"containers": [{"name": "app", "image": "r/web:1"}]}})");
  Json out = writable_template(recorded);
  CHECK(out["metadata"]["labels"] == Json{{"app", "web"}});
  CHECK(out["spec"] == recorded["spec"]);
  CHECK(writable_template(Json{{"spec", Json::object()}}) == Json{{"spec", Json::object()}});
}

TEST_CASE("the rolling-update spec names absolute limits and the plan's progress deadline") {
  struct Row {
    sluice::strategy::RollingParameters params;
    long long deadline_ms;
    int want_deadline_s;
  };
  const Row rows[] = {{{1, 0, 4}, 600000, 600}, {{2, 1, 3}, 20000, 20}, {{1, 0, 1}, 400, 1}};
  for (const auto& row : rows) {
    Json dep = {{"spec", {{"replicas", 4}}}};
    set_rolling_update(dep, row.params, sluice::util::Duration{row.deadline_ms});
    CHECK(dep["spec"]["strategy"]["type"] == "RollingUpdate");
    CHECK(dep["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == row.params.max_surge);
    CHECK(dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == row.params.max_unavailable);
    CHECK(dep["spec"]["progressDeadlineSeconds"] == row.want_deadline_s);
    CHECK(dep["spec"]["replicas"] == 4);
  }
}
