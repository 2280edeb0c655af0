// /openapi/v3 as kubectl reads it: `kubectl explain` finds a kind's schema in
// its group version's document by x-kubernetes-group-version-kind and
// follows allOf/$ref (kubectl pkg/explain/v2); apply reads the
// strategic-merge keys (x-kubernetes-patch-merge-key) from the same schemas.
#include "unit/kubesim/api_fixture.hpp"

#include <catch2/catch.hpp>

using sluice::test::api_only;
using sluice::test::Json;
using sluice::test::Kubesim;

TEST_CASE("each group version's OpenAPI v3 document carries its kinds' schemas", "[kubesim][openapi]") {
  Kubesim sim(api_only(std::chrono::milliseconds(5000)));
  const Json root = sim.get_object("/openapi/v3");
  CHECK(root["paths"]["apis/apps/v1"]["serverRelativeURL"] == "/openapi/v3/apis/apps/v1?hash=kubesim");

  const Json schemas = sim.get_object("/openapi/v3/apis/apps/v1")["components"]["schemas"];
  const Json& deployment = schemas["io.k8s.api.apps.v1.Deployment"];
  CHECK(deployment["x-kubernetes-group-version-kind"][0] ==
        Json{{"group", "apps"}, {"version", "v1"}, {"kind", "Deployment"}});
  CHECK(deployment["properties"]["spec"]["allOf"][0]["$ref"] ==
        "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec");
  CHECK(schemas["io.k8s.api.apps.v1.DeploymentStrategy"]["properties"].contains("rollingUpdate"));
  const Json& containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
  CHECK(containers["x-kubernetes-patch-merge-key"] == "name");
  CHECK(containers["x-kubernetes-patch-strategy"] == "merge");
}

TEST_CASE("a CRD's schema is published in OpenAPI v3 while it is served", "[kubesim][openapi][crd]") {
  Kubesim sim(api_only(std::chrono::milliseconds(5000)));
  const Json crd = {
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", {{"name", "gadgets.example.com"}}},
      {"spec",
       {{"group", "example.com"},
        {"scope", "Namespaced"},
        {"names", {{"plural", "gadgets"}, {"kind", "Gadget"}}},
        {"versions", Json::array({{{"name", "v1"},
                                   {"served", true},
                                   {"storage", true},
                                   {"schema", {{"openAPIV3Schema", {{"type", "object"}}}}}}})}}}};
  REQUIRE(sim.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201);
  const Json schemas = sim.get_object("/openapi/v3/apis/example.com/v1")["components"]["schemas"];
  CHECK(schemas["com.example.v1.Gadget"]["x-kubernetes-group-version-kind"][0]["kind"] == "Gadget");
  REQUIRE(sim.request("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com")
              .status == 200);
  CHECK(sim.get("/openapi/v3/apis/example.com/v1").status == 404);
}
