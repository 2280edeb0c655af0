// How the apiserver decodes a body before validating it: unknown fields per
// fieldValidation (Strict refuses, Warn — the server's default — warns and
// drops, Ignore drops), and a value of the wrong JSON type is a 400 decode
// error, never a 500. Upstream: apiserver pkg/endpoints/handlers (create.go,
// update.go, patch.go: fieldValidation), sigs.k8s.io/json strict decoding,
// KEP-2885 (server-side unknown field validation).
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <httplib.h>

using sluice::test::api_only;
using sluice::test::config_map;
using sluice::test::Json;
using sluice::test::k_configmaps;
using sluice::test::k_deployments;
using sluice::test::Kubesim;

namespace {

const std::chrono::milliseconds k_bookmarks{200};

Json deployment(const Json& extra_spec = Json::object()) {
  Json spec = {{"selector", {{"matchLabels", {{"app", "web"}}}}},
               {"template",
                {{"metadata", {{"labels", {{"app", "web"}}}}},
                 {"spec", {{"containers", {{{"name", "web"}, {"image", "web:1"}}}}}}}}};
  spec.merge_patch(extra_spec);
  return {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"metadata", {{"name", "web"}}}, {"spec", spec}};
}

struct Posted {
  int status = 0;
  Json body;
  std::vector<std::string> warnings;  // the Warning headers, in order
};

Posted post(Kubesim& sim, const std::string& path, const Json& body) {
  httplib::Client client(sim.url());
  auto r = client.Post(path, body.dump(), "application/json");
  Posted out;
  if (!r) return out;
  out.status = r->status;
  out.body = Json::parse(r->body);
  for (auto [it, end] = r->headers.equal_range("Warning"); it != end; ++it)
    out.warnings.push_back(it->second);
  return out;
}

}  // namespace

TEST_CASE("unknown fields follow fieldValidation", "[kubesim][api][decode]") {
  Kubesim sim(api_only(k_bookmarks));
  Json body = deployment({{"foo", 1}});
  body["spec"]["template"]["spec"]["containers"][0]["colour"] = "red";

  SECTION("Strict: 400 naming every unknown field with its path") {
    auto r = sim.request("POST", k_deployments + "?fieldValidation=Strict", body);
    CHECK(r.status == 400);
    CHECK(r.body["reason"] == "BadRequest");
    CHECK(r.body["message"] ==
          "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown "
          "field \"spec.foo\", unknown field \"spec.template.spec.containers[0].colour\"");
    CHECK(sim.get(k_deployments + "/web").status == 404);
  }
  SECTION("Warn, also when fieldValidation is absent: 201, a 299 warning per field, the field dropped") {
    for (const std::string query : {"?fieldValidation=Warn", ""}) {
      auto r = post(sim, k_deployments + query, body);
      CHECK(r.status == 201);
      CHECK(r.warnings == std::vector<std::string>{
                              "299 - \"unknown field \\\"spec.foo\\\"\"",
                              "299 - \"unknown field \\\"spec.template.spec.containers[0].colour\\\"\""});
      CHECK_FALSE(r.body["spec"].contains("foo"));
      CHECK_FALSE(r.body["spec"]["template"]["spec"]["containers"][0].contains("colour"));
      sim.request("DELETE", k_deployments + "/web");
    }
  }
  SECTION("Ignore: dropped without a warning") {
    auto r = post(sim, k_deployments + "?fieldValidation=Ignore", body);
    CHECK(r.status == 201);
    CHECK(r.warnings.empty());
    CHECK_FALSE(r.body["spec"].contains("foo"));
  }
  SECTION("patches and server-side apply are checked too") {
    REQUIRE(sim.request("POST", k_deployments, deployment()).status == 201);
    auto merge = sim.request("PATCH", k_deployments + "/web?fieldValidation=Strict", {{"spec", {{"foo", 1}}}},
                             "application/merge-patch+json");
    CHECK(merge.status == 400);
    CHECK(merge.body["message"] ==
          "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown "
          "field \"spec.foo\"");
    auto apply = sim.request("PATCH", k_deployments + "/web?fieldValidation=Strict&fieldManager=m",
                             deployment({{"foo", 1}}), "application/apply-patch+yaml");
    CHECK(apply.status == 400);
    CHECK(apply.body["message"] ==
          "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.foo: field not "
          "declared in schema");
  }
}

TEST_CASE("every served kind refuses unknown fields under Strict", "[kubesim][api][decode]") {
  Kubesim sim(api_only(k_bookmarks));
  const std::vector<std::pair<std::string, Json>> kinds = {
      {"/api/v1/namespaces/default/pods",
       {{"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", "p"}}},
        {"spec", {{"containers", {{{"name", "c"}, {"image", "i"}}}}, {"foo", 1}}}}},
      {"/api/v1/namespaces/default/services",
       {{"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", {{"name", "s"}}},
        {"spec", {{"ports", {{{"port", 80}, {"foo", 1}}}}}}}},
      {k_configmaps,
       {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "c"}}}, {"foo", 1}}},
      {"/api/v1/namespaces/default/secrets",
       {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}, {"foo", 1}}}}},
      {"/apis/coordination.k8s.io/v1/namespaces/default/leases",
       {{"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", "l"}}},
        {"spec", {{"holder", "x"}}}}},
      {"/api/v1/namespaces",
       {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "n"}}}, {"foo", 1}}},
      {"/api/v1/namespaces/default/endpoints",
       {{"apiVersion", "v1"}, {"kind", "Endpoints"}, {"metadata", {{"name", "e"}}}, {"foo", 1}}},
      {"/apis/apps/v1/namespaces/default/replicasets",
       {{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"metadata", {{"name", "r"}}}, {"foo", 1}}},
      {"/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes",
       {{"apiVersion", "gateway.networking.k8s.io/v1"},
        {"kind", "HTTPRoute"},
        {"metadata", {{"name", "h"}}},
        {"foo", 1}}},
  };
  for (const auto& [path, body] : kinds) {
    auto r = sim.request("POST", path + "?fieldValidation=Strict", body);
    INFO(path);
    CHECK(r.status == 400);
    CHECK(r.body["message"].get<std::string>().find("strict decoding error: unknown field") !=
          std::string::npos);
  }
}

TEST_CASE("a value of the wrong type is a 400 decode error in Go's words", "[kubesim][api][decode]") {
  Kubesim sim(api_only(k_bookmarks));
  auto message = [&](const std::string& path, const Json& body) {
    auto r = sim.request("POST", path, body);
    CHECK(r.status == 400);
    CHECK(r.body["reason"] == "BadRequest");
    return r.body["message"].get<std::string>();
  };
  CHECK(
      message(k_deployments, deployment({{"replicas", "three"}})) ==
      "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go "
      "struct field DeploymentSpec.spec.replicas of type int32");
  Json labels = config_map("c");
  labels["metadata"]["labels"] = {{"a", 1}};
  CHECK(message(k_configmaps, labels) ==
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go "
        "struct field ObjectMeta.metadata.labels of type string");
  Json containers = deployment();
  containers["spec"]["template"]["spec"]["containers"] = {{"name", "web"}};
  CHECK(
      message(k_deployments, containers) ==
      "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal object into Go "
      "struct field PodSpec.spec.template.spec.containers of type []v1.Container");
  Json quantity = deployment();
  quantity["spec"]["template"]["spec"]["containers"][0]["resources"] = {{"limits", {{"cpu", "lots"}}}};
  CHECK(message(k_deployments, quantity) ==
        "Deployment in version \"v1\" cannot be handled as a Deployment: quantities must match the regular "
        "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  auto patched = sim.request("POST", k_deployments, deployment());
  REQUIRE(patched.status == 201);
  auto r = sim.request("PATCH", k_deployments + "/web", {{"spec", {{"replicas", "x"}}}},
                       "application/merge-patch+json");
  CHECK(r.status == 400);
}
