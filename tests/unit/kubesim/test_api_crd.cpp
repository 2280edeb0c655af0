// CustomResourceDefinitions: creating one makes kubesim serve its custom
// resource generically, as apiextensions-apiserver does
// (staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go),
// and deleting it stops serving it and deletes its objects.
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

#include <httplib.h>

#include <future>

using sluice::test::api_only;
using sluice::test::Json;
using sluice::test::Kubesim;

namespace {

const std::string k_crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const std::string k_widgets = "/apis/example.com/v1/namespaces/default/widgets";

// A Widget CRD: spec.size (integer), spec.extra (preserve-unknown-fields),
// status subresource; `scope` Namespaced or Cluster.
Json widget_crd(const std::string& scope = "Namespaced") {
  const Json spec_schema = {
      {"type", "object"},
      {"properties",
       {{"size", {{"type", "integer"}}},
        {"extra", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}};
  const Json status_schema = {{"type", "object"}, {"properties", {{"phase", {{"type", "string"}}}}}};
  // `metadata: {type: object}` as kpt's ResourceGroup CRD declares it: metadata is never pruned.
  const Json schema = {
      {"type", "object"},
      {"properties", {{"metadata", {{"type", "object"}}}, {"spec", spec_schema}, {"status", status_schema}}}};
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "widgets.example.com"}}},
          {"spec",
           {{"group", "example.com"},
            {"scope", scope},
            {"names",
             {{"plural", "widgets"},
              {"singular", "widget"},
              {"kind", "Widget"},
              {"shortNames", Json::array({"wd"})}}},
            {"versions",
             {{{"name", "v1"},
               {"served", true},
               {"storage", true},
               {"schema", {{"openAPIV3Schema", schema}}},
               {"subresources", {{"status", Json::object()}}}}}}}}};
}

Json widget(const std::string& name, const Json& spec) {
  return {
      {"apiVersion", "example.com/v1"}, {"kind", "Widget"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

bool condition_true(const Json& crd, const std::string& type) {
  for (const auto& c : crd["status"].value("conditions", Json::array())) {
    if (c.value("type", "") == type) return c.value("status", "") == "True";
  }
  return false;
}

}  // namespace

TEST_CASE("a created CRD is established and listed by discovery", "[kubesim][crd]") {
  Kubesim sim(api_only(std::chrono::milliseconds(5000)));
  CHECK(sim.get(k_widgets).status == 404);
  REQUIRE(sim.request("POST", k_crds, widget_crd()).status == 201);

  const Json crd = sim.get_object(k_crds + "/widgets.example.com");
  CHECK(condition_true(crd, "Established"));
  CHECK(condition_true(crd, "NamesAccepted"));
  CHECK(crd["status"]["acceptedNames"]["kind"] == "Widget");
  CHECK(crd["status"]["storedVersions"] == Json::array({"v1"}));

  const Json groups = sim.get_object("/apis");
  bool listed = false;
  for (const auto& g : groups["groups"]) listed = listed || g["name"] == "example.com";
  CHECK(listed);
  const Json resources = sim.get_object("/apis/example.com/v1")["resources"];
  REQUIRE(resources.size() == 2);
  CHECK(resources[0]["name"] == "widgets");
  CHECK(resources[0]["namespaced"] == true);
  CHECK(resources[0]["shortNames"] == Json::array({"wd"}));
  CHECK(resources[1]["name"] == "widgets/status");
}

TEST_CASE("custom objects are created, read, listed, watched and deleted", "[kubesim][crd]") {
  Kubesim sim(api_only(std::chrono::milliseconds(5000)));
  REQUIRE(sim.request("POST", k_crds, widget_crd()).status == 201);
  const auto list_rv = sim.get_object(k_widgets)["metadata"]["resourceVersion"].get<std::string>();
  auto watched = std::async(std::launch::async, [url = sim.url(), list_rv] {
    httplib::Client client(url);
    client.set_read_timeout(std::chrono::seconds(10));
    auto res = client.Get(k_widgets + "?watch=true&timeoutSeconds=2&resourceVersion=" + list_rv);
    return res ? res->body : std::string();
  });

  auto created = sim.request("POST", k_widgets, widget("w1", {{"size", 3}}));
  REQUIRE(created.status == 201);
  CHECK(created.body["metadata"]["generation"] == 1);
  CHECK(sim.get_object(k_widgets + "/w1")["spec"]["size"] == 3);
  CHECK(sim.get_object(k_widgets)["items"].size() == 1);
  CHECK(sim.get_object("/apis/example.com/v1/widgets")["items"].size() == 1);
  CHECK(sim.request("DELETE", k_widgets + "/w1").status == 200);
  CHECK(sim.get(k_widgets + "/w1").status == 404);
  const std::string stream = watched.get();
  CHECK(stream.find("\"ADDED\"") != std::string::npos);
  CHECK(stream.find("\"DELETED\"") != std::string::npos);
}

TEST_CASE("the status subresource keeps spec and status writes apart", "[kubesim][crd]") {
  Kubesim sim(api_only(std::chrono::milliseconds(5000)));
  REQUIRE(sim.request("POST", k_crds, widget_crd()).status == 201);
  Json w = widget("w1", {{"size", 1}});
  REQUIRE(sim.request("POST", k_widgets, w).status == 201);
  Json stored = sim.get_object(k_widgets + "/w1");
  stored["status"] = {{"phase", "Ready"}};
  auto updated = sim.request("PUT", k_widgets + "/w1/status", stored);
  REQUIRE(updated.status == 200);
  CHECK(updated.body["status"]["phase"] == "Ready");
  CHECK(updated.body["metadata"]["generation"] == 1);
}

TEST_CASE("custom objects are pruned to the CRD's schema", "[kubesim][crd]") {
  Kubesim sim(api_only(std::chrono::milliseconds(5000)));
  REQUIRE(sim.request("POST", k_crds, widget_crd()).status == 201);
  const Json spec = {{"size", 2}, {"colour", "red"}, {"extra", {{"anything", {{"goes", 1}}}}}};

  SECTION("unknown fields are dropped with a warning, preserve-unknown-fields kept") {
    auto created = sim.request("POST", k_widgets, widget("w1", spec));
    REQUIRE(created.status == 201);
    CHECK_FALSE(created.body["spec"].contains("colour"));
    CHECK(created.body["spec"]["extra"]["anything"]["goes"] == 1);
    CHECK(created.body["metadata"]["name"] == "w1");
  }
  SECTION("fieldValidation=Strict refuses them") {
    auto refused = sim.request("POST", k_widgets + "?fieldValidation=Strict", widget("w1", spec));
    CHECK(refused.status == 400);
    CHECK(refused.body["message"] ==
          "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field "
          "\"spec.colour\"");
  }
}

TEST_CASE("a cluster-scoped CRD serves objects without a namespace", "[kubesim][crd]") {
  Kubesim sim(api_only(std::chrono::milliseconds(5000)));
  REQUIRE(sim.request("POST", k_crds, widget_crd("Cluster")).status == 201);
  CHECK(sim.get_object("/apis/example.com/v1")["resources"][0]["namespaced"] == false);
  CHECK(sim.request("POST", "/apis/example.com/v1/widgets", widget("w1", {{"size", 1}})).status == 201);
  CHECK(sim.get_object("/apis/example.com/v1/widgets/w1")["metadata"].contains("namespace") == false);
}

TEST_CASE("deleting a CRD deletes its objects and stops serving it", "[kubesim][crd]") {
  Kubesim sim(api_only(std::chrono::milliseconds(5000)));
  REQUIRE(sim.request("POST", k_crds, widget_crd()).status == 201);
  REQUIRE(sim.request("POST", k_widgets, widget("w1", {{"size", 1}})).status == 201);
  CHECK(sim.request("DELETE", k_crds + "/widgets.example.com").status == 200);
  CHECK(sim.get(k_crds + "/widgets.example.com").status == 404);
  CHECK(sim.get(k_widgets).status == 404);
  CHECK(sim.get("/apis/example.com/v1").status == 404);
  // Re-created, it starts empty: the old objects went with it.
  REQUIRE(sim.request("POST", k_crds, widget_crd()).status == 201);
  CHECK(sim.get_object(k_widgets)["items"].empty());
}
